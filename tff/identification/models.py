from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tff.extensions import db
from tff.timeutil import utcnow


class IdentificationSuggestion(db.Model):
    """A criterion a family's evidence met on a date, with the evidence that made it. A
    suggestion, never a decision: a person confirms it (`FamilyCriterion`). A family's
    suggestions are replaced, all together, each time they are worked out."""

    __tablename__ = "identification_suggestions"
    __table_args__ = (Index("ix_identification_suggestions_family_code", "family_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"))
    #: the criterion's code, like crime_asb, or a headline problem of the family's plan
    code: Mapped[str] = mapped_column(String(40))
    #: national or local (phase one), problem (phase two, Supporting Families)
    kind: Mapped[str] = mapped_column(String(10))
    #: the evidence, one item a line, like ["asb 2013-02-11 (police E123)"]
    evidence: Mapped[list] = mapped_column(JSON)
    #: the date the criteria were judged on
    as_of: Mapped[date]
    #: the job that worked them out (None when worked out outside a job)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RejectedCriterion(db.Model):
    """A suggestion a person rejected, and why. It outlives the suggestions it answered (which
    are replaced each time they are worked out): a criterion rejected stays rejected, shown
    with its evidence, until someone confirms it after all. It never counts towards
    eligibility, not even "if confirmed"."""

    __tablename__ = "rejected_criteria"
    __table_args__ = (UniqueConstraint("family_id", "kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    #: national or local (phase one), problem (phase two, Supporting Families)
    kind: Mapped[str] = mapped_column(String(10))
    #: the criterion's code, as the suggestion named it
    code: Mapped[str] = mapped_column(String(40))
    #: why the person rejected it, in their words
    reason: Mapped[str] = mapped_column(String(500))
    #: the evidence the suggestion named when it was rejected
    evidence: Mapped[list] = mapped_column(JSON)
    rejected_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    rejected_at: Mapped[datetime] = mapped_column(default=utcnow)

    rejected_by = relationship("User")
