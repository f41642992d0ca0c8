from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tff.extensions import db
from tff.timeutil import utcnow


class Team(db.Model):
    """A team of lead workers (a service, school cluster or commissioned provider)."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    #: most open cases the team holds at once (e.g. 45 for the Family Recovery Programme)
    max_open_cases: Mapped[int | None]
    #: most open cases one of its workers holds at once
    max_per_worker: Mapped[int | None]


class LeadWorkerAssignment(db.Model):
    """Who was a family's lead worker, from when to when: the history of reassignment."""

    __tablename__ = "lead_worker_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    started_on: Mapped[date]
    #: empty while current
    ended_on: Mapped[date | None]
    reason: Mapped[str | None] = mapped_column(String(500))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    by = relationship("User", foreign_keys=[by_id])


class TafMember(db.Model):
    """A member of the family's Team Around the Family. One who is a user may see the family."""

    __tablename__ = "taf_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    #: set when the practitioner uses the product
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    #: their agency, e.g. school, housing, YOT, health visitor
    agency: Mapped[str | None] = mapped_column(String(120))
    role: Mapped[str | None] = mapped_column(String(120))
    joined_on: Mapped[date]
    left_on: Mapped[date | None]

    user = relationship("User")
