"""Claim windows, their batches and lines, the internal audit's sample, and the money ledger
(payments, their reversals, spot-check clawbacks).

A window has one batch. Its lines are written whole by an assembly (the draft's lines are
replaced, never added to) and frozen when the batch is submitted: the database refuses any
change to a submitted batch's lines, and refuses a second line that claims the same result of
the same family (`uq_claim_lines_family_outcome`, over the lines not excluded).
"""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tff.extensions import db
from tff.timeutil import utcnow

DRAFT = "draft"
SUBMITTED = "submitted"
#: an audited line's outcome
VERIFIED = "verified"
REJECTED = "rejected"


class ClaimWindow(db.Model):
    """A claim round: when it is open, the evidence cut-off its results are decided as of, and
    the share of lines internal audit must verify before it is submitted."""

    __tablename__ = "claim_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. 2013-07
    name: Mapped[str] = mapped_column(String(40), unique=True)
    opens: Mapped[date | None]
    closes: Mapped[date | None]
    as_of: Mapped[date]
    #: percent of the lines in the audit sample (0: none)
    sample_percent: Mapped[int] = mapped_column(default=10)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    batch: Mapped["ClaimBatch | None"] = relationship(back_populates="window", uselist=False)


class ClaimBatch(db.Model):
    """The window's claim: its lines, how they were assembled, sampled and submitted."""

    __tablename__ = "claim_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("claim_windows.id"), unique=True)
    #: draft or submitted
    state: Mapped[str] = mapped_column(String(12), default=DRAFT)
    #: the evaluation the lines came from, and when they were written
    evaluation_id: Mapped[int | None] = mapped_column(ForeignKey("evaluations.id"))
    assembled_at: Mapped[datetime | None]
    #: the audit sample: the seed it was drawn with, when and by whom
    sample_seed: Mapped[str | None] = mapped_column(String(64))
    sampled_at: Mapped[datetime | None]
    sampled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    window: Mapped[ClaimWindow] = relationship(back_populates="batch")
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    sampled_by = relationship("User", foreign_keys=[sampled_by_id])


class ClaimLine(db.Model):
    """One result of one family claimed in a batch, with a frozen copy of why it is claimable."""

    __tablename__ = "claim_lines"
    __table_args__ = (
        Index("ix_claim_lines_batch_family", "batch_id", "family_ref", "outcome"),
        # A result of a family is claimed once, ever: on one line that is not excluded.
        Index(
            "uq_claim_lines_family_outcome",
            "family_id",
            "outcome",
            unique=True,
            sqlite_where=text("excluded = 0"),
            postgresql_where=text("NOT excluded"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("claim_batches.id"))
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"))
    family_ref: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(60))
    #: the financial year the family was attached in, like 2012/13
    attachment_year: Mapped[str] = mapped_column(String(7))
    #: whole pounds
    amount: Mapped[int]
    #: phase1, or the outcome plan's name and version
    rule_set: Mapped[str] = mapped_column(String(120))
    #: the decision's reasons and figures, as they were when the line was written
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    excluded: Mapped[bool] = mapped_column(default=False)
    exclusion_reason: Mapped[str | None] = mapped_column(Text)
    excluded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    excluded_at: Mapped[datetime | None]
    #: in the audit sample, and what internal audit found
    sampled: Mapped[bool] = mapped_column(default=False)
    audit_state: Mapped[str | None] = mapped_column(String(10))
    audit_note: Mapped[str | None] = mapped_column(Text)
    audited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    audited_at: Mapped[datetime | None]

    batch: Mapped[ClaimBatch] = relationship()


class ClaimEvidence(db.Model):
    """What a claim window's decision of a family read, frozen as it was: the members (by
    reference and date of birth, no names), their attendance terms with the figures, the events
    with their source and reference, the spells, and for an outcome plan the problems
    identified, the approved verified outcomes and the day the case closed.

    Written by the window's evaluation as it decides each family with a claimable result, from
    the very facts the rules were given, so that no later import, correction or retention
    changes what a spot check is shown. A batch's lines read theirs through the batch's
    evaluation; the database refuses any change to the evidence of a submitted claim."""

    __tablename__ = "claim_evidence"
    # not unique: a chunk decided twice (its first worker taken for gone) keeps one worker's
    # rows, the other's roll back with its decisions
    __table_args__ = (Index("ix_claim_evidence_evaluation_family", "evaluation_id", "family_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"))
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"))
    #: as `tff.claims.evidence.freeze` writes it (its `version` says which shape)
    evidence: Mapped[dict] = mapped_column(JSON)


#: a Payment's kind: money the government paid for the claim
PAYMENT = "payment"
#: the correction of an entry keyed by mistake: its amount negated, the entry left as it was
REVERSAL = "reversal"
#: money taken back after a spot check found results that should not have been paid
CLAWBACK = "clawback"
PAYMENT_KINDS = (PAYMENT, REVERSAL, CLAWBACK)


class Payment(db.Model):
    """An entry in a window's money ledger: a payment for its claim, a spot check's clawback,
    or the reversal of an entry keyed by mistake.

    Entries are never edited or deleted, so the ledger keeps every mistake beside its
    correction and who made each; the signed amounts add up to what the window has drawn down.
    A clawback is kept here rather than apart because it is money moving against the same
    window's claim: every sum of the ledger (the window's, the funding dashboard's) counts it
    with no second query, and a clawback keyed by mistake is reversed like a payment."""

    __tablename__ = "claim_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("claim_windows.id"), index=True)
    #: payment, reversal or clawback
    kind: Mapped[str] = mapped_column(String(10), default=PAYMENT, server_default=PAYMENT)
    #: whole pounds, signed: a payment is positive, a clawback negative, a reversal the
    #: negative of the entry it reverses
    amount: Mapped[int]
    #: the day the money moved (a reversal: the day of the entry it reverses)
    paid_on: Mapped[date]
    #: a payment's optional note; a reversal's or clawback's reason (the spot check's finding)
    note: Mapped[str | None] = mapped_column(Text)
    #: the entry a reversal reverses; unique, so an entry is reversed once at most
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("claim_payments.id"), unique=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
