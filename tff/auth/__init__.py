"""Users, roles, sign-in and the permission check every view uses."""
