from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tff.extensions import db
from tff.timeutil import utcnow

PROGRAMMES = {
    "phase1": "Phase one (2012)",
    "phase2": "Phase two (2015)",
    "supporting_families": "Supporting Families (2022)",
}

IDENTIFIED = "identified"
ATTACHED = "attached"
CLOSED = "closed"
STATUSES = {IDENTIFIED: "Identified", ATTACHED: "Attached", CLOSED: "Closed"}

CLOSURE_REASONS = {
    "outcomes_achieved": "Outcomes achieved",
    "disengaged": "Family disengaged",
    "moved_away": "Moved away",
    "stepped_up": "Stepped up to social care",
    "other": "Other",
}


class Family(db.Model):
    __tablename__ = "families"
    __table_args__ = (
        Index("ix_families_status_programme", "status", "programme"),
        Index("ix_families_lead_worker_id", "lead_worker_id"),
        Index("ix_families_postcode", "postcode"),
        Index("ix_families_attached_on", "attached_on"),
        # the funding dashboard counts the families attached by programme, day and plan, and
        # those on an override, from this index alone
        Index("ix_families_money", "programme", "attached_on", "outcome_plan", "attach_override_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the authority's reference, e.g. `F001`
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    #: `phase1`, `phase2` or `supporting_families`
    programme: Mapped[str] = mapped_column(String(24))
    #: identified, attached or closed
    status: Mapped[str] = mapped_column(String(12), default=IDENTIFIED)
    identified_on: Mapped[date | None]
    #: the day the intervention started; the attachment fee and results count from it
    attached_on: Mapped[date | None]
    closed_on: Mapped[date | None]
    #: one of CLOSURE_REASONS while closed
    closure_reason: Mapped[str | None] = mapped_column(String(24))
    #: the family's address, as one block of text
    address: Mapped[str | None] = mapped_column(Text)
    #: upper case with one space, e.g. `S60 1AA`
    postcode: Mapped[str | None] = mapped_column(String(10))
    #: phase two and later: the outcome plan version named at import (empty = the one in force)
    outcome_plan: Mapped[str | None] = mapped_column(String(80))
    #: the family's lead worker (a lead worker or coordinator)
    lead_worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: why the family was attached although not eligible on its confirmed criteria (empty when
    #: it was eligible); shown wherever its attachment fee or claims are
    attach_override_reason: Mapped[str | None] = mapped_column(String(500))
    #: who recorded the override, and when
    attach_override_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    attach_override_at: Mapped[datetime | None]
    #: when the personal data was removed under the retention period; never selected again
    anonymised_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    lead_worker = relationship("User", foreign_keys=[lead_worker_id])
    attach_override_by = relationship("User", foreign_keys=[attach_override_by_id])
    members: Mapped[list["Member"]] = relationship(  # noqa: F821
        back_populates="family", order_by="Member.date_of_birth"
    )
    criteria: Mapped[list["FamilyCriterion"]] = relationship(  # noqa: F821
        back_populates="family", order_by="FamilyCriterion.code"
    )

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def programme_label(self) -> str:
        return PROGRAMMES.get(self.programme, self.programme)

    def audit_state(self) -> dict:
        return {
            "reference": self.reference,
            "programme": self.programme,
            "status": self.status,
            "identified_on": self.identified_on,
            "attached_on": self.attached_on,
            "closed_on": self.closed_on,
            "closure_reason": self.closure_reason,
            "address": self.address,
            "postcode": self.postcode,
            "outcome_plan": self.outcome_plan,
            "lead_worker_id": self.lead_worker_id,
        }


class FamilyStatusChange(db.Model):
    """Each step of a family's lifecycle: identified, attached, closed, reopened."""

    __tablename__ = "family_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    #: the status before (none when the family was first identified)
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    #: the day it took effect (attachment date, closure date, ...)
    effective_on: Mapped[date]
    #: closure reason code, or free words for a reopening
    reason: Mapped[str | None] = mapped_column(String(500))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    by = relationship("User")
