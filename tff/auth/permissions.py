"""The one permission check every view uses.

`@role_required(...)` on each view names the roles that may use it; anything else gets 403.
Views open to every signed-in user say so with `@role_required(ALL)`, so a view with no
decorator stands out in review and in the test that walks the URL map.
"""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def role_required(*roles):
    allowed = frozenset(r for group in roles for r in ([group] if isinstance(group, str) else group))

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = allowed
        return wrapped

    return decorator


def has_role(*roles) -> bool:
    return current_user.is_authenticated and current_user.role in roles
