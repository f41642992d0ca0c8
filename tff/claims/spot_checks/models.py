"""A spot check of a submitted claim, and its families' findings."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tff.extensions import db
from tff.timeutil import utcnow

#: a family's finding
UPHELD, NOT_UPHELD = "upheld", "not_upheld"
FINDINGS = {UPHELD: "Upheld", NOT_UPHELD: "Not upheld"}


class SpotCheck(db.Model):
    """The families the national team selected from a submitted window's claim, and when."""

    __tablename__ = "spot_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("claim_windows.id"), index=True)
    #: the day the national team named the families
    selected_on: Mapped[date]
    #: the national team's own reference for the check, when it gave one
    reference: Mapped[str | None] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    families: Mapped[list["SpotCheckFamily"]] = relationship(
        back_populates="spot_check", order_by="SpotCheckFamily.family_ref"
    )


class SpotCheckFamily(db.Model):
    """A family selected for a spot check, and what the check found of its claimed results."""

    __tablename__ = "spot_check_families"
    __table_args__ = (UniqueConstraint("spot_check_id", "family_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    spot_check_id: Mapped[int] = mapped_column(ForeignKey("spot_checks.id"))
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"))
    family_ref: Mapped[str] = mapped_column(String(40))
    #: upheld or not_upheld; None until the finding is recorded
    finding: Mapped[str | None] = mapped_column(String(12))
    #: what the check found, in the words of the person who recorded it
    note: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    #: the clawback recorded for a result not upheld
    clawback_id: Mapped[int | None] = mapped_column(ForeignKey("claim_payments.id"))

    spot_check: Mapped[SpotCheck] = relationship(back_populates="families")

    @property
    def finding_words(self) -> str:
        return FINDINGS.get(self.finding, "Not recorded yet")
