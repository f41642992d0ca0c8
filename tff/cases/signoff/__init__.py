"""Manager sign-off: a lead worker or coordinator proposes closing a case or stepping a family
down, and a manager approves it (the change is made then) or returns it with a reason."""
