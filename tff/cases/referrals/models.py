from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tff.extensions import db
from tff.timeutil import utcnow

SERVICE_TYPES = {
    "family_support": "Family support",
    "intensive_family_support": "Intensive family support",
    "family_recovery": "Family Recovery Programme",
    "mst": "Multi-Systemic Therapy (MST)",
    "family_mediation": "Family mediation",
    "employment": "Employment support",
    "other": "Other",
}


class Provider(db.Model):
    """A commissioned provider families are referred to, e.g. YWCA family support."""

    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    #: one of SERVICE_TYPES
    service_type: Mapped[str] = mapped_column(String(30))
    #: the most open referrals it takes at once (45 for the Family Recovery Programme); empty = no limit
    capacity: Mapped[int | None]
    #: an inactive provider (contract ended) takes no new referrals; its history stays
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def service_label(self) -> str:
        return SERVICE_TYPES.get(self.service_type, self.service_type)

    def audit_state(self) -> dict:
        return {
            "name": self.name,
            "service_type": self.service_type,
            "capacity": self.capacity,
            "active": self.active,
        }


REQUESTED, ACCEPTED, DECLINED, CLOSED = "requested", "accepted", "declined", "closed"
REFERRAL_STATES = {REQUESTED: "Requested", ACCEPTED: "Accepted", DECLINED: "Declined", CLOSED: "Closed"}
#: the states a referral may move to from each state; declined and closed are final
NEXT_STATES = {REQUESTED: (ACCEPTED, DECLINED, CLOSED), ACCEPTED: (CLOSED,)}
#: a referral in one of these is open: a family has at most one open referral to a provider
OPEN_STATES = (REQUESTED, ACCEPTED)
#: why a referral closed
CLOSURE_OUTCOMES = {
    "completed": "Work completed – goals met",
    "partly_completed": "Work completed – some goals met",
    "disengaged": "The family disengaged",
    "stepped_up": "Stepped up to social care",
    "withdrawn": "Referral withdrawn",
    "other": "Other",
}


class Referral(db.Model):
    """A family referred to a provider. Its state moves requested → accepted or declined →
    closed; each move is a ReferralTransition, so the history is kept."""

    __tablename__ = "referrals"
    # whether a family was taken by a provider, and the families each provider took, are read
    # from these indexes alone (the funding dashboard's table by provider)
    __table_args__ = (
        Index("ix_referrals_family_id_state", "family_id", "state"),
        Index("ix_referrals_provider_id_state_family_id", "provider_id", "state", "family_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    #: why the family is referred: the needs the provider should meet
    reason: Mapped[str] = mapped_column(Text)
    #: one of REFERRAL_STATES
    state: Mapped[str] = mapped_column(String(10), default=REQUESTED)
    requested_on: Mapped[date]
    #: one of CLOSURE_OUTCOMES once closed
    outcome: Mapped[str | None] = mapped_column(String(20))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    provider = relationship("Provider")
    transitions: Mapped[list["ReferralTransition"]] = relationship(
        back_populates="referral", order_by="ReferralTransition.id"
    )

    @property
    def state_label(self) -> str:
        return REFERRAL_STATES.get(self.state, self.state)

    @property
    def outcome_label(self) -> str:
        return CLOSURE_OUTCOMES.get(self.outcome, self.outcome or "")

    def audit_state(self) -> dict:
        return {
            "provider": self.provider.name if self.provider else self.provider_id,
            "state": self.state,
            "requested_on": self.requested_on,
            "outcome": self.outcome,
        }


class ReferralTransition(db.Model):
    """One move of a referral from a state to the next: when, by whom, and why."""

    __tablename__ = "referral_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    #: empty for the request itself
    from_state: Mapped[str | None] = mapped_column(String(10))
    to_state: Mapped[str] = mapped_column(String(10))
    #: the day it happened
    on: Mapped[date]
    #: one of CLOSURE_OUTCOMES, when closing
    outcome: Mapped[str | None] = mapped_column(String(20))
    #: the reason for a decline, the outcome in words, or any note
    note: Mapped[str | None] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    referral = relationship("Referral", back_populates="transitions")
    by = relationship("User")

    @property
    def state_label(self) -> str:
        return REFERRAL_STATES.get(self.to_state, self.to_state)


#: the levels of support a family's children may be at, from the most to the least intensive
LEVELS = {
    "cp_plan": "Child Protection plan",
    "cin_plan": "Child in Need plan",
    "early_help": "Family CAF (early help)",
}
#: higher is more intensive: moving to a higher rank is a step up
LEVEL_RANK = {"early_help": 1, "cin_plan": 2, "cp_plan": 3}


class CareLevelChange(db.Model):
    """A step up to social care or a step down to early help (or the level the family started at)."""

    __tablename__ = "care_level_changes"
    __table_args__ = (Index("ix_care_level_changes_family_id_changed_on", "family_id", "changed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"))
    #: empty for the first level recorded
    from_level: Mapped[str | None] = mapped_column(String(12))
    #: one of LEVELS
    to_level: Mapped[str] = mapped_column(String(12))
    changed_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    by = relationship("User")

    @property
    def direction(self) -> str:
        if self.from_level is None:
            return "Level recorded"
        return "Stepped up" if LEVEL_RANK[self.to_level] > LEVEL_RANK[self.from_level] else "Stepped down"

    @property
    def to_label(self) -> str:
        return LEVELS.get(self.to_level, self.to_level)

    @property
    def from_label(self) -> str:
        return LEVELS.get(self.from_level, self.from_level or "")
