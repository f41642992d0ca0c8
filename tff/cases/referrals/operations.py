"""Providers, referrals and steps between social care and early help. Each change is checked,
made, written to the audit trail in the same transaction and committed; a refused change
raises CaseError and changes nothing."""

from datetime import date

from sqlalchemy import func, select

from tff.audit.operations import record
from tff.cases.casework import audit, check_date
from tff.cases.models import Family
from tff.cases.operations import CaseError
from tff.cases.referrals.models import (
    ACCEPTED,
    CLOSED,
    CLOSURE_OUTCOMES,
    DECLINED,
    LEVELS,
    NEXT_STATES,
    OPEN_STATES,
    REFERRAL_STATES,
    REQUESTED,
    SERVICE_TYPES,
    CareLevelChange,
    Provider,
    Referral,
    ReferralTransition,
)
from tff.extensions import db

#: the most places a provider may offer: more than any service has, well inside an integer column
MAX_CAPACITY = 100_000


class OverCapacity(CaseError):
    """The provider is full: the change needs the person to confirm it. `warnings` say why."""

    def __init__(self, warnings: list[str], what: str):
        super().__init__({"confirm_over_limit": f"Tick the box to {what} above the provider's capacity"})
        self.warnings = warnings


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


# --- Providers -----------------------------------------------------------------------------


def open_referrals(provider_ids=None) -> dict[int, dict[str, int]]:
    """Open referrals of each provider, by state: {provider_id: {requested: n, accepted: n}}."""
    query = select(Referral.provider_id, Referral.state, func.count()).where(Referral.state.in_(OPEN_STATES))
    if provider_ids is not None:
        query = query.where(Referral.provider_id.in_(list(provider_ids)))
    counts: dict[int, dict[str, int]] = {}
    for provider_id, state, n in db.session.execute(query.group_by(Referral.provider_id, Referral.state)):
        counts.setdefault(provider_id, {s: 0 for s in OPEN_STATES})[state] = n
    return counts


def capacity_warnings(provider: Provider) -> list[str]:
    """Why one more accepted referral would take the provider over its capacity, if it would."""
    if provider.capacity is None:
        return []
    held = open_referrals([provider.id]).get(provider.id, {}).get(ACCEPTED, 0)
    if held + 1 > provider.capacity:
        referrals = "referral" if held == 1 else "referrals"
        return [f"{provider.name} already holds {held} open {referrals}; its capacity is {provider.capacity}"]
    return []


def save_provider(by, name: str, service_type: str, capacity, active: bool = True, provider=None) -> Provider:
    """Add a provider, or change one. `capacity` may be the words typed into the form."""
    name = (name or "").strip()
    problems = {}
    if not name:
        problems["name"] = "Enter the provider's name"
    else:
        same = select(Provider.id).where(func.lower(Provider.name) == name.lower())
        if provider is not None:
            same = same.where(Provider.id != provider.id)
        if db.session.scalar(same):
            problems["name"] = f"There is already a provider called {name}"
    if service_type not in SERVICE_TYPES:
        problems["service_type"] = "Choose the kind of service"
    if isinstance(capacity, str):
        capacity = capacity.strip() or None
    if capacity is not None:
        try:
            capacity = int(capacity)
        except (TypeError, ValueError):
            problems["capacity"] = "Capacity must be a whole number, like 45, or empty for no limit"
        else:
            if capacity < 1:
                problems["capacity"] = "Capacity must be 1 or more, or empty for no limit"
            elif capacity > MAX_CAPACITY:
                problems["capacity"] = f"Capacity must be {MAX_CAPACITY:,} or fewer, or empty for no limit"
    if problems:
        raise CaseError(problems)
    before = provider.audit_state() if provider else None
    if provider is None:
        provider = Provider()
        db.session.add(provider)
    provider.name, provider.service_type, provider.capacity, provider.active = name, service_type, capacity, active
    db.session.flush()
    record(
        "provider.update" if before else "provider.add",
        "provider",
        provider.id,
        f"{'Changed' if before else 'Added'} the provider {provider.name}",
        before=before,
        after=provider.audit_state(),
        user=by,
    )
    db.session.commit()
    return provider


# --- Referrals -----------------------------------------------------------------------------


def request_referral(
    family: Family,
    by,
    provider: Provider | None,
    requested_on: date | None,
    reason: str | None,
    confirm_over_capacity: bool = False,
) -> Referral:
    problems = {}
    if provider is None:
        problems["provider"] = "Choose the provider"
    elif not provider.active:
        problems["provider"] = f"{provider.name} no longer takes referrals"
    elif db.session.scalar(
        select(Referral.id).where(
            Referral.family_id == family.id, Referral.provider_id == provider.id, Referral.state.in_(OPEN_STATES)
        )
    ):
        problems["provider"] = f"The family already has an open referral to {provider.name}"
    if requested_on is None:
        problems["requested_on"] = "Enter the date of the referral"
    check_date(problems, "requested_on", requested_on, "The date of the referral")
    if not _text(reason):
        problems["reason"] = "Say why the family is referred: the needs the provider should meet"
    if problems:
        raise CaseError(problems)
    warnings = capacity_warnings(provider)
    if warnings and not confirm_over_capacity:
        raise OverCapacity(warnings, "refer")
    referral = Referral(
        family_id=family.id,
        provider_id=provider.id,
        reason=_text(reason),
        state=REQUESTED,
        requested_on=requested_on,
        created_by_id=by.id,
    )
    referral.provider = provider
    db.session.add(referral)
    db.session.flush()
    db.session.add(ReferralTransition(referral_id=referral.id, to_state=REQUESTED, on=requested_on, by_id=by.id))
    audit(
        family,
        "referral.request",
        f"Referred family {family.reference} to {provider.name}" + (" above its capacity" if warnings else ""),
        by,
        after={"referral_id": referral.id, **referral.audit_state(), "reason": referral.reason},
    )
    db.session.commit()
    return referral


def transition(
    family: Family,
    referral: Referral,
    by,
    to_state: str,
    on: date | None,
    note: str | None = None,
    outcome: str | None = None,
    confirm_over_capacity: bool = False,
) -> Referral:
    """Move a referral on: accept, decline (with a reason) or close (with an outcome)."""
    if to_state not in NEXT_STATES.get(referral.state, ()):
        raise CaseError(
            {"on": f"A referral that is {referral.state_label.lower()} cannot be {REFERRAL_STATES[to_state].lower()}"}
        )
    last = referral.transitions[-1] if referral.transitions else None
    problems = {}
    if on is None:
        problems["on"] = "Enter the date"
    check_date(
        problems,
        "on",
        on,
        "The date",
        last.on if last else referral.requested_on,
        f"the day it was {last.state_label.lower()}" if last else "the day it was requested",
    )
    if to_state == DECLINED and not _text(note):
        problems["note"] = "Say why the provider declined the referral"
    if to_state == CLOSED and outcome not in CLOSURE_OUTCOMES:
        problems["outcome"] = "Choose the outcome of the referral"
    if problems:
        raise CaseError(problems)
    warnings = capacity_warnings(referral.provider) if to_state == ACCEPTED else []
    if warnings and not confirm_over_capacity:
        raise OverCapacity(warnings, "accept")
    before = referral.audit_state()
    db.session.add(
        ReferralTransition(
            referral_id=referral.id,
            from_state=referral.state,
            to_state=to_state,
            on=on,
            outcome=outcome if to_state == CLOSED else None,
            note=_text(note),
            by_id=by.id,
        )
    )
    referral.state = to_state
    if to_state == CLOSED:
        referral.outcome = outcome
    action, words = {
        ACCEPTED: ("referral.accept", "accepted"),
        DECLINED: ("referral.decline", "declined"),
        CLOSED: ("referral.close", "closed"),
    }[to_state]
    audit(
        family,
        action,
        f"The referral of family {family.reference} to {referral.provider.name} was {words}"
        + (" above its capacity" if warnings else ""),
        by,
        before={"referral_id": referral.id, **before},
        after={"referral_id": referral.id, **referral.audit_state(), "note": _text(note)},
    )
    db.session.commit()
    return referral


def referrals(family: Family) -> list[Referral]:
    return db.session.scalars(
        select(Referral)
        .where(Referral.family_id == family.id)
        .order_by(Referral.requested_on.desc(), Referral.id.desc())
    ).all()


# --- Step up and step down -----------------------------------------------------------------


def level_history(family: Family) -> list[CareLevelChange]:
    """The family's levels of support, the latest first."""
    return db.session.scalars(
        select(CareLevelChange)
        .where(CareLevelChange.family_id == family.id)
        .order_by(CareLevelChange.changed_on.desc(), CareLevelChange.id.desc())
    ).all()


def level_problems(family: Family, to_level: str | None, changed_on: date | None, note: str | None) -> dict[str, str]:
    """What stops the family moving to that level on that day: asked by `change_level`, and by
    a proposal to step down (`tff.cases.signoff`), so one that could never be approved is
    refused."""
    history = level_history(family)
    current = history[0] if history else None
    problems = {}
    if to_level not in LEVELS:
        problems["to_level"] = "Choose the level the family is moving to"
    elif current and current.to_level == to_level:
        problems["to_level"] = f"The family is already at {LEVELS[to_level]}"
    if changed_on is None:
        problems["changed_on"] = "Enter the date of the change"
    check_date(
        problems,
        "changed_on",
        changed_on,
        "The date of the change",
        current.changed_on if current else None,
        "the last change",
    )
    if not _text(note):
        problems["note"] = "Say why: the decision and who made it"
    return problems


def change_level(family: Family, by, to_level: str | None, changed_on: date | None, note: str | None):
    """A step up to social care or down to early help, or the level the family starts at."""
    if problems := level_problems(family, to_level, changed_on, note):
        raise CaseError(problems)
    history = level_history(family)
    current = history[0] if history else None
    change = CareLevelChange(
        family_id=family.id,
        from_level=current.to_level if current else None,
        to_level=to_level,
        changed_on=changed_on,
        note=_text(note),
        by_id=by.id,
    )
    db.session.add(change)
    db.session.flush()
    direction = change.direction.lower()
    audit(
        family,
        "family.level",
        f"Family {family.reference}: {direction} to {LEVELS[to_level]}",
        by,
        before={"level": change.from_level} if current else None,
        after={"level": to_level, "changed_on": changed_on, "note": change.note},
    )
    db.session.commit()
    return change
