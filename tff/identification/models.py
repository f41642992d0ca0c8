from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

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
