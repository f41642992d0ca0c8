from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tff.extensions import db
from tff.timeutil import utcnow


class OutcomePlanVersion(db.Model):
    """One version of an outcome plan. Its document never changes once stored: an edit is a
    new version, so a decision recorded against a version can always be checked against it."""

    __tablename__ = "outcome_plan_versions"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. rotherham-2015
    name: Mapped[str] = mapped_column(String(80))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    #: phase2 or supporting_families: the families it may measure
    framework: Mapped[str] = mapped_column(String(24))
    #: the plan document, as `dump_plan` writes it to JSON
    document: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: adopted: families attached on or after `in_force_from` are measured against it
    in_force_from: Mapped[date | None]
    adopted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    adopted_at: Mapped[datetime | None]

    created_by = relationship("User", foreign_keys=[created_by_id])
    adopted_by = relationship("User", foreign_keys=[adopted_by_id])

    @property
    def label(self) -> str:
        """The rule set's name in decisions, claims and `flask outcomes --json`."""
        return f"{self.name} v{self.version}"

    @property
    def adopted(self) -> bool:
        return self.in_force_from is not None
