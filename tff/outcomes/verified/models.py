from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tff.extensions import db
from tff.timeutil import utcnow

#: states
PROPOSED = "proposed"
APPROVED = "approved"
REJECTED = "rejected"
STATES = {PROPOSED: "Awaiting approval", APPROVED: "Approved", REJECTED: "Rejected"}


class VerifiedOutcome(db.Model):
    """An outcome a practitioner says the family (or one member) has achieved, with the evidence
    for it. It counts towards a result only once a manager, other than the one who recorded it,
    has approved it. Never changed once decided: a new record replaces a rejected one."""

    __tablename__ = "verified_outcomes"
    __table_args__ = (
        Index("ix_verified_outcomes_family_state", "family_id", "state", "achieved_on"),
        Index("ix_verified_outcomes_state", "state", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"))
    #: the member it is about, when it is about one
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    #: the outcome plan's name for it: lower-case letters, digits and underscores
    code: Mapped[str] = mapped_column(String(60))
    #: what it is, in words
    title: Mapped[str] = mapped_column(String(200))
    #: how the practitioner knows: what was seen, said or received, and from whom
    evidence_note: Mapped[str] = mapped_column(Text)
    achieved_on: Mapped[date]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: one of STATES
    state: Mapped[str] = mapped_column(String(10), default=PROPOSED)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)

    family = relationship("Family")
    member = relationship("Member")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def state_label(self) -> str:
        return STATES.get(self.state, self.state)

    def audit_state(self) -> dict:
        return {
            "code": self.code,
            "title": self.title,
            "member_id": self.member_id,
            "achieved_on": self.achieved_on,
            "evidence_note": self.evidence_note,
            "state": self.state,
            "decision_note": self.decision_note,
        }
