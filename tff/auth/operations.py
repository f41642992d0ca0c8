"""Changing users. Every change writes the audit trail in the same transaction."""

import secrets

from sqlalchemy import func, select

from tff.audit.operations import record
from tff.auth.models import User
from tff.auth.passwords import hash_password, password_problems
from tff.auth.roles import ADMIN, ROLES
from tff.extensions import db


class UserError(ValueError):
    """The change was refused; `problems` maps a field name to what is wrong with it."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(email: str, name: str, role: str, password: str, by=None) -> User:
    email = email.strip().lower()
    problems = {}
    if role not in ROLES:
        problems["role"] = f"Role must be one of {', '.join(ROLES)}"
    if find_by_email(email):
        problems["email"] = f"There is already a user with the email address {email}"
    if issues := password_problems(password, email, name):
        problems["password"] = issues[0]
    if problems:
        raise UserError(problems)
    user = User(
        email=email,
        name=name.strip() or email,
        role=role,
        password_hash=hash_password(password),
        session_token=secrets.token_hex(16),
    )
    db.session.add(user)
    db.session.flush()
    record("user.create", "user", user.id, f"Added user {email} as {ROLES[role]}", after=user.audit_state(), user=by)
    db.session.commit()
    return user


def _active_admins() -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.role == ADMIN, User.active))


_KEEP = object()


def update_user(
    user: User,
    by,
    name: str,
    role: str,
    active: bool,
    password: str | None = None,
    team_id=_KEEP,
    max_caseload=_KEEP,
) -> User:
    before = user.audit_state()
    problems = {}
    if role not in ROLES:
        problems["role"] = f"Role must be one of {', '.join(ROLES)}"
    losing_admin = user.role == ADMIN and user.active and (role != ADMIN or not active)
    if losing_admin and _active_admins() <= 1:
        problems["role"] = "This is the only administrator who can sign in: add another first"
    elif by is not None and user.id == by.id and (role != user.role or not active):
        problems["role"] = "You cannot change your own role or disable yourself"
    if password and (issues := password_problems(password, user.email, name.strip() or user.name)):
        problems["password"] = issues[0]
    if max_caseload is not _KEEP and max_caseload is not None and max_caseload < 1:
        problems["max_caseload"] = "The most open cases must be 1 or more, or left empty for the team's limit"
    if problems:
        raise UserError(problems)
    user.name, user.role, user.active = name.strip() or user.name, role, active
    if team_id is not _KEEP:
        user.team_id = team_id or None
    if max_caseload is not _KEEP:
        user.max_caseload = max_caseload
    if password:
        user.password_hash = hash_password(password)
    if password or not active or role != before["role"]:
        # Signs the person out of every session they have.
        user.session_token = secrets.token_hex(16)
    after = user.audit_state()
    if password:
        before["password"], after["password"] = "(unchanged)", "(changed)"
    record("user.update", "user", user.id, f"Changed user {user.email}", before=before, after=after, user=by)
    db.session.commit()
    return user
