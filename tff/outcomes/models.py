"""Evaluations of the cohort: the decisions of every attached family as of a date, kept as they
were made (claims are assembled from them, and an auditor reads why)."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tff.extensions import db
from tff.outcomes.decisions import as_json
from tff.timeutil import utcnow

#: chunk states
PENDING = "pending"
CLAIMED = "claimed"
DONE = "done"


class Evaluation(db.Model):
    """One run of the engine over the cohort (or one family) as of a date."""

    __tablename__ = "evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date]
    #: only this family's reference, when one family was evaluated
    family_ref: Mapped[str | None] = mapped_column(String(40))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), index=True)
    #: when assembling a claim window: claim history is read as that window sees it
    window_id: Mapped[int | None] = mapped_column(ForeignKey("claim_windows.id"), index=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: families evaluated, and decisions made, once finished
    families: Mapped[int | None]
    decisions: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    job = relationship("Job")
    started_by = relationship("User")
    window = relationship("ClaimWindow")

    @property
    def finished(self) -> bool:
        return self.finished_at is not None


class EvaluationChunk(db.Model):
    """A slice of the cohort (families by reference, `first_ref` to `last_ref`), which any
    worker taking part in the evaluation claims, decides and marks done."""

    __tablename__ = "evaluation_chunks"
    __table_args__ = (Index("ix_evaluation_chunks_evaluation_state", "evaluation_id", "state", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"))
    seq: Mapped[int]
    first_ref: Mapped[str] = mapped_column(String(40))
    last_ref: Mapped[str] = mapped_column(String(40))
    families: Mapped[int]
    #: pending, claimed or done
    state: Mapped[str] = mapped_column(String(10), default=PENDING)
    #: the worker that claimed it, and when (a claim gone quiet is claimed again)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None]


class OutcomeDecision(db.Model):
    """The decision on one result of one family in an evaluation, with its reasons."""

    __tablename__ = "outcome_decisions"
    __table_args__ = (
        Index("ix_outcome_decisions_evaluation_family", "evaluation_id", "family_ref", "outcome"),
        Index("ix_outcome_decisions_near_miss", "evaluation_id", "near_miss"),
        Index("ix_outcome_decisions_family", "family_id", "evaluation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"))
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"))
    #: the family's reference when decided (claims and exports are read in its order)
    family_ref: Mapped[str] = mapped_column(String(40))
    #: phase1, or an outcome plan's name and version
    rule_set: Mapped[str] = mapped_column(String(120))
    outcome: Mapped[str] = mapped_column(String(60))
    met: Mapped[bool]
    claimable: Mapped[bool]
    #: whole pounds that would be claimed now; None when not claimable
    amount: Mapped[int | None]
    #: whole pounds the result pays for the family's attachment year (the near misses' order)
    at_stake: Mapped[int | None]
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    #: what is still missing, in plain words
    missing: Mapped[list] = mapped_column(JSON, default=list)
    #: days until it would be met if nothing else changes (near misses only)
    near_miss: Mapped[int | None]

    def as_json(self) -> dict:
        return as_json(self)


class UndecidedFamily(db.Model):
    """A family a cohort job could not decide, and why: it has no decisions in that run, and
    the run went on with the others. Read by the evaluation's page, the claim window's page
    and the command line, so that the family's record can be put right and the job run again.

    Kept by evaluation (results, claim assemblies); another cohort job records its own with
    `job_id` alone."""

    __tablename__ = "undecided_families"
    __table_args__ = (Index("ix_undecided_families_evaluation_ref", "evaluation_id", "family_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the evaluation the family was left out of (None for a cohort job that is not one)
    evaluation_id: Mapped[int | None] = mapped_column(ForeignKey("evaluations.id"))
    #: the job that met the family
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), index=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    #: the family's reference when it was met
    family_ref: Mapped[str] = mapped_column(String(40))
    #: why, in plain words, like "the attachment date 0001-01-01 is outside the dates the rules can measure"
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
