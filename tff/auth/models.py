from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tff.auth.roles import ROLES
from tff.extensions import db
from tff.timeutil import utcnow


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: sign-in name, stored lower case
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: the name shown to colleagues
    name: Mapped[str] = mapped_column(String(120))
    #: one of `tff.auth.roles.ROLES`
    role: Mapped[str] = mapped_column(String(20))
    #: argon2 hash
    password_hash: Mapped[str] = mapped_column(String(255))
    #: a disabled user cannot sign in; their history stays
    active: Mapped[bool] = mapped_column(default=True)
    #: changes whenever the password changes or the user is disabled, ending their sessions
    session_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[datetime | None]
    #: the lead worker's team, for caseloads
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    #: most open cases this person holds at once; empty = the team's limit per worker
    max_caseload: Mapped[int | None]

    team = relationship("Team")

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def role_name(self) -> str:
        return ROLES.get(self.role, self.role)

    def get_id(self) -> str:
        # Flask-Login keeps this in the session: a new token signs every session out.
        return f"{self.id}:{self.session_token}"

    def audit_state(self) -> dict:
        return {
            "email": self.email,
            "name": self.name,
            "role": self.role,
            "active": self.active,
            "team_id": self.team_id,
            "max_caseload": self.max_caseload,
        }

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
