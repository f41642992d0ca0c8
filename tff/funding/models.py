from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tff.extensions import db
from tff.timeutil import utcnow


class AttachmentFeeReceipt(db.Model):
    """Attachment fees the government paid for a programme's families attached in a year."""

    __tablename__ = "attachment_fee_receipts"
    __table_args__ = (Index("ix_attachment_fee_receipts_programme_year", "programme", "financial_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: phase1, phase2 or supporting_families
    programme: Mapped[str] = mapped_column(String(24))
    #: the financial year of attachment the fees are for, like 2012/13
    financial_year: Mapped[str] = mapped_column(String(7))
    #: whole pounds
    amount: Mapped[int]
    received_on: Mapped[date]
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProgrammeEnd(db.Model):
    """The day a programme's funding runs out: the trajectory draws the line that claims all
    that is available by then. An administrator's setting; without one, the configured default."""

    __tablename__ = "programme_ends"

    #: phase1, phase2 or supporting_families
    programme: Mapped[str] = mapped_column(String(24), primary_key=True)
    ends_on: Mapped[date]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class FundingCommitment(db.Model):
    """The families the council agreed to work with in a programme's financial year, and the
    number the government pays the attachment fee for: under the 2012 framework the fee is paid
    up front for these, not per family attached (`funding.md`)."""

    __tablename__ = "funding_commitments"
    __table_args__ = (UniqueConstraint("programme", "financial_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: phase1, phase2 or supporting_families
    programme: Mapped[str] = mapped_column(String(24))
    #: like 2012/13
    financial_year: Mapped[str] = mapped_column(String(7))
    #: the families the council agreed to work with that year
    families_committed: Mapped[int]
    #: the government's own figure of the families funded; None: the committed families less
    #: the programme's deadweight share (`commitments.default_funded`)
    families_funded: Mapped[int | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class FeeBasis(db.Model):
    """How a programme's attachment fees fall due: for the families funded by the commitment
    (phase one's framework) or for each family attached (the later programmes). A finance
    officer's or administrator's setting; without one, the programme's default."""

    __tablename__ = "fee_bases"

    #: phase1, phase2 or supporting_families
    programme: Mapped[str] = mapped_column(String(24), primary_key=True)
    #: commitment or attached
    basis: Mapped[str] = mapped_column(String(12))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
