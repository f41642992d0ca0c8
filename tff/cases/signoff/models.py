"""A proposal to close a case or step a family down, waiting for a manager's decision."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tff.cases.models import CLOSURE_REASONS
from tff.cases.referrals.models import LEVELS
from tff.extensions import db
from tff.timeutil import utcnow

#: what is proposed
CLOSURE, STEP_DOWN = "closure", "step_down"
KINDS = {CLOSURE: "Closure", STEP_DOWN: "Step down"}

#: where a proposal is: waiting for a manager, or decided (approved, returned) or withdrawn
PROPOSED, APPROVED, RETURNED, WITHDRAWN = "proposed", "approved", "returned", "withdrawn"
STATES = {PROPOSED: "Waiting for a manager", APPROVED: "Approved", RETURNED: "Returned", WITHDRAWN: "Withdrawn"}


class SignOff(db.Model):
    """A closure or step down proposed for a family. Nothing changes for the family until a
    manager approves it; the approval and the change are one transaction. A family has at
    most one proposal of each kind waiting at a time (a partial unique index enforces it)."""

    __tablename__ = "sign_offs"
    __table_args__ = (
        Index(
            "uq_sign_offs_family_id_kind_waiting",
            "family_id",
            "kind",
            unique=True,
            sqlite_where=text("state = 'proposed'"),
            postgresql_where=text("state = 'proposed'"),
        ),
        # the manager's list: what waits, oldest first
        Index("ix_sign_offs_state_proposed_at", "state", "proposed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    #: one of KINDS
    kind: Mapped[str] = mapped_column(String(10))
    #: one of STATES
    state: Mapped[str] = mapped_column(String(10), default=PROPOSED)
    #: the day the case closes, or the day of the step down, as proposed
    on: Mapped[date]
    #: a closure: one of CLOSURE_REASONS
    closure_reason: Mapped[str | None] = mapped_column(String(40))
    #: a step down: the level the family moves to, one of LEVELS
    to_level: Mapped[str | None] = mapped_column(String(12))
    #: a step down: why (the decision, and what support continues), as the level form asks
    note: Mapped[str | None] = mapped_column(Text)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the manager who approved or returned it, or the proposer who withdrew it
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    #: why the manager returned it: shown to the proposer on the family page
    return_reason: Mapped[str | None] = mapped_column(Text)

    family = relationship("Family")
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def state_label(self) -> str:
        return STATES.get(self.state, self.state)

    @property
    def what(self) -> str:
        """The proposal in words: 'Close the case: Outcomes achieved', 'Step down to ...'."""
        if self.kind == CLOSURE:
            return f"Close the case: {CLOSURE_REASONS.get(self.closure_reason, self.closure_reason)}"
        return f"Step down to {LEVELS.get(self.to_level, self.to_level)}"

    def audit_state(self) -> dict:
        return {
            "sign_off_id": self.id,
            "kind": self.kind,
            "state": self.state,
            "on": self.on,
            "closure_reason": self.closure_reason,
            "to_level": self.to_level,
            "note": self.note,
            "return_reason": self.return_reason,
        }
