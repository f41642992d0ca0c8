"""Proposing, approving, returning and withdrawing a closure or a step down. Each function
checks, changes, writes the audit trail in the same transaction and commits; a refused change
raises CaseError and changes nothing. An approval makes the change itself through the case's
own operation (`tff.cases.operations.close`, `tff.cases.referrals.operations.change_level`),
whose commit writes the approval with it: both or neither."""

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from tff.cases import operations as case_operations
from tff.cases.access import visible_families
from tff.cases.casework import audit
from tff.cases.models import Family
from tff.cases.operations import CaseError
from tff.cases.referrals import operations as referral_operations
from tff.cases.referrals.models import LEVEL_RANK
from tff.cases.signoff.models import APPROVED, CLOSURE, PROPOSED, RETURNED, STEP_DOWN, WITHDRAWN, SignOff
from tff.extensions import db
from tff.timeutil import utcnow

#: the levels of support that are social care; stepping down from them waits for a manager
SOCIAL_CARE = ("cp_plan", "cin_plan")


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


# --- Reads ---------------------------------------------------------------------------------


def waiting(user) -> list[SignOff]:
    """The proposals waiting for a manager among the families the user may see, oldest first,
    with their family and proposer, in one query."""
    scoped = visible_families(user).with_only_columns(Family.id)
    return db.session.scalars(
        select(SignOff)
        .where(SignOff.state == PROPOSED, SignOff.family_id.in_(scoped))
        .options(joinedload(SignOff.family), joinedload(SignOff.proposed_by))
        .order_by(SignOff.proposed_at, SignOff.id)
    ).all()


def latest(family: Family) -> dict[str, SignOff]:
    """The family's latest proposal of each kind ({kind: proposal}), for the family page."""
    found = db.session.scalars(
        select(SignOff)
        .where(SignOff.family_id == family.id)
        .options(joinedload(SignOff.proposed_by), joinedload(SignOff.decided_by))
        .order_by(SignOff.id.desc())
    ).all()
    result: dict[str, SignOff] = {}
    for sign_off in found:
        result.setdefault(sign_off.kind, sign_off)
    return result


def open_proposal(family: Family, kind: str) -> SignOff | None:
    return db.session.scalar(
        select(SignOff).where(SignOff.family_id == family.id, SignOff.kind == kind, SignOff.state == PROPOSED)
    )


def current_level(family: Family) -> str | None:
    history = referral_operations.level_history(family)
    return history[0].to_level if history else None


def is_step_down(family: Family, to_level: str | None) -> bool:
    """Whether moving the family to this level steps it down from social care (a Child
    Protection or Child in Need plan) to early help: the move that waits for a manager. A move
    between the two plans is social care's own decision, recorded as it is."""
    now = current_level(family)
    return now in SOCIAL_CARE and to_level in LEVEL_RANK and to_level not in SOCIAL_CARE


# --- Proposing -----------------------------------------------------------------------------


def _add(family: Family, sign_off: SignOff, by, field: str) -> SignOff:
    db.session.add(sign_off)
    db.session.flush()
    audit(
        family,
        "sign_off.propose",
        f"Proposed for family {family.reference}, for a manager's sign-off: {sign_off.what}",
        by,
        after=sign_off.audit_state(),
    )
    try:
        db.session.commit()
    except IntegrityError as exc:
        # Another proposal of the same kind was made at the same moment: the index kept one.
        db.session.rollback()
        raise CaseError({field: f"A {sign_off.kind_label.lower()} is already waiting for a manager"}) from exc
    return sign_off


def propose_closure(family: Family, on: date | None, reason: str | None, by) -> SignOff:
    problems = case_operations.close_problems(family, on, reason)
    if open_proposal(family, CLOSURE):
        problems["closed_on"] = "Closing the case is already proposed and waiting for a manager"
    if problems:
        raise CaseError(problems)
    sign_off = SignOff(family_id=family.id, kind=CLOSURE, on=on, closure_reason=reason, proposed_by_id=by.id)
    return _add(family, sign_off, by, "closed_on")


def propose_step_down(family: Family, to_level: str | None, on: date | None, note: str | None, by) -> SignOff:
    """The level form's checks (`change_level`), for a move that is a step down."""
    problems = referral_operations.level_problems(family, to_level, on, note)
    if "to_level" not in problems and not is_step_down(family, to_level):
        problems["to_level"] = "Only a step down from social care to early help waits for a manager's sign-off"
    if open_proposal(family, STEP_DOWN):
        problems["to_level"] = "A step down is already proposed and waiting for a manager"
    if problems:
        raise CaseError(problems)
    sign_off = SignOff(
        family_id=family.id, kind=STEP_DOWN, on=on, to_level=to_level, note=_text(note), proposed_by_id=by.id
    )
    return _add(family, sign_off, by, "to_level")


# --- Deciding ------------------------------------------------------------------------------


def _decide(sign_off: SignOff, state: str, by, field: str, return_reason: str | None = None) -> dict:
    """Move a waiting proposal on, only if it is still waiting: two managers deciding at once
    cannot both succeed."""
    before = sign_off.audit_state()
    done = db.session.execute(
        update(SignOff)
        .where(SignOff.id == sign_off.id, SignOff.state == PROPOSED)
        .values(state=state, decided_by_id=by.id, decided_at=utcnow(), return_reason=return_reason)
    ).rowcount
    if not done:
        db.session.rollback()
        raise CaseError({field: "This proposal has already been decided or withdrawn"})
    db.session.refresh(sign_off)
    return before


def approve(sign_off: SignOff, by) -> SignOff:
    """Approve, and make the change exactly as the case's operation makes it, committed with
    the approval."""
    family = sign_off.family
    if sign_off.state != PROPOSED:
        raise CaseError({"confirm": "This proposal has already been decided or withdrawn"})
    if sign_off.kind == STEP_DOWN and not is_step_down(family, sign_off.to_level):
        raise CaseError({"confirm": "The family's level has changed since this was proposed: return it instead"})
    before = _decide(sign_off, APPROVED, by, "confirm")
    audit(
        family,
        "sign_off.approve",
        f"Approved for family {family.reference}: {sign_off.what}",
        by,
        before=before,
        after=sign_off.audit_state(),
    )
    try:
        if sign_off.kind == CLOSURE:
            case_operations.close(family, sign_off.on, sign_off.closure_reason, by)
        else:
            referral_operations.change_level(family, by, sign_off.to_level, sign_off.on, sign_off.note)
    except CaseError as exc:
        db.session.rollback()
        raise CaseError(
            {"confirm": f"It cannot be approved: {'; '.join(exc.problems.values())}. Return it instead"}
        ) from exc
    return sign_off


def return_to_proposer(sign_off: SignOff, reason: str | None, by) -> SignOff:
    """Return it with a reason; nothing changes for the family, and the proposer may propose again."""
    if not _text(reason):
        raise CaseError({"reason": "Say why you are returning it, so the proposer knows what to change"})
    before = _decide(sign_off, RETURNED, by, "reason", return_reason=_text(reason))
    family = sign_off.family
    audit(
        family,
        "sign_off.return",
        f"Returned for family {family.reference}: {sign_off.what}",
        by,
        before=before,
        after=sign_off.audit_state(),
    )
    db.session.commit()
    return sign_off


def withdraw(sign_off: SignOff, by) -> SignOff:
    """The proposer takes a waiting proposal back."""
    if sign_off.proposed_by_id != by.id:
        raise CaseError({"confirm": "Only the person who proposed it can withdraw it"})
    before = _decide(sign_off, WITHDRAWN, by, "confirm")
    family = sign_off.family
    audit(
        family,
        "sign_off.withdraw",
        f"Withdrawn for family {family.reference}: {sign_off.what}",
        by,
        before=before,
        after=sign_off.audit_state(),
    )
    db.session.commit()
    return sign_off
