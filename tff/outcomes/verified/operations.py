"""Recording and deciding practitioner-verified outcomes: checked, written with their audit
entry, committed; a refused change raises CaseError and changes nothing. An outcome is chosen
from those the family's outcome plan names (`outcome-plans.md`: never typed), so that an
approved outcome is one the plan's tests read. And the approved outcomes of many families as
of a date, for the engine's loader."""

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select

from tff.auth import roles
from tff.cases.access import visible_families
from tff.cases.casework import audit, check_date
from tff.cases.models import Family, Member
from tff.cases.operations import CaseError
from tff.extensions import db
from tff.outcomes.plan_versions import measuring
from tff.outcomes.plan_versions.measuring import plan_measuring, why_not_measured
from tff.outcomes.verified.models import APPROVED, PROPOSED, REJECTED, VerifiedOutcome
from tff.timeutil import utcnow

CODE_LENGTH = 60
TITLE_LENGTH = 200


class NotAllowed(PermissionError):
    """The user's role may do this, but not to this family or this outcome."""


def can_record(user, family: Family) -> bool:
    """Coordinators, and the family's own lead worker."""
    return user.role == roles.COORDINATOR or (user.role == roles.LEAD_WORKER and family.lead_worker_id == user.id)


def can_decide(user) -> bool:
    return user.role == roles.MANAGER


def offered(family: Family) -> list[measuring.VerifiedOutcome]:
    """The outcomes a practitioner may record for the family: every outcome a `verified`
    measure of the plan that measures it names, titled."""
    return measuring.verified_outcomes(plan_measuring(family))


def why_none_offered(family: Family) -> str | None:
    """Why no verified outcome can be recorded for the family; None when some can."""
    plan = plan_measuring(family)
    if plan is None:
        return f"Verified outcomes cannot be recorded for this family: {why_not_measured(family)}."
    if not measuring.verified_outcomes(plan):
        return (
            f"Verified outcomes cannot be recorded for this family: its outcome plan {plan.rule_set} "
            "names no practitioner-verified outcome."
        )
    return None


def record(
    family: Family,
    by,
    code: str | None,
    evidence_note: str | None,
    achieved_on: date | None,
    member_id: int | None = None,
) -> VerifiedOutcome:
    """A proposed outcome, one of those the family's plan names (`offered`), titled as there."""
    if not can_record(by, family):
        raise NotAllowed("Only the family's lead worker or a coordinator records a verified outcome")
    code, evidence_note = (code or "").strip(), (evidence_note or "").strip()
    problems = {}
    plan = plan_measuring(family)
    choices = {outcome.code: outcome for outcome in measuring.verified_outcomes(plan)}
    if not choices:
        problems["code"] = why_none_offered(family)
    elif not code:
        problems["code"] = "Choose the outcome the family achieved"
    elif code not in choices:
        shown = code if len(code) <= CODE_LENGTH else f"{code[:CODE_LENGTH]}…"
        problems["code"] = (
            f'"{shown}" is not an outcome of the family\'s outcome plan {plan.rule_set}: '
            "choose one of the outcomes listed"
        )
    if not evidence_note:
        problems["evidence_note"] = "Record the evidence that the outcome was achieved"
    if achieved_on is None:
        problems["achieved_on"] = "Enter the date the outcome was achieved"
    check_date(problems, "achieved_on", achieved_on, "The date the outcome was achieved")
    if member_id is not None and not db.session.scalar(
        select(Member.id).where(Member.id == member_id, Member.family_id == family.id)
    ):
        problems["member"] = "Choose a member of this family, or the whole family"
    if problems:
        raise CaseError(problems)
    outcome = VerifiedOutcome(
        family_id=family.id,
        member_id=member_id,
        code=code,
        title=choices[code].title[:TITLE_LENGTH],
        evidence_note=evidence_note,
        achieved_on=achieved_on,
        recorded_by_id=by.id,
        state=PROPOSED,
    )
    db.session.add(outcome)
    db.session.flush()
    audit(
        family,
        "verified_outcome.record",
        f"Recorded the verified outcome {outcome.title} ({code}, {achieved_on:%-d %B %Y}) of family "
        f"{family.reference}, "
        "for a manager to approve",
        by,
        after={"verified_outcome_id": outcome.id, **outcome.audit_state()},
    )
    db.session.commit()
    return outcome


def approve(family: Family, outcome: VerifiedOutcome, by, note: str | None = None) -> VerifiedOutcome:
    return _decide(family, outcome, by, APPROVED, note)


def reject(family: Family, outcome: VerifiedOutcome, by, note: str | None) -> VerifiedOutcome:
    return _decide(family, outcome, by, REJECTED, note)


def _decide(family: Family, outcome: VerifiedOutcome, by, to_state: str, note: str | None) -> VerifiedOutcome:
    if not can_decide(by) or outcome.family_id != family.id:
        raise NotAllowed("Only a manager approves or rejects a verified outcome")
    note = (note or "").strip()
    problems = {}
    if outcome.state != PROPOSED:
        problems["note"] = f"This outcome is already {outcome.state_label.lower()}: it cannot be decided again"
    elif outcome.recorded_by_id == by.id:
        problems["note"] = "You recorded this outcome: another manager must approve or reject it"
    elif to_state == REJECTED and not note:
        problems["note"] = "Say why the outcome is rejected"
    if problems:
        raise CaseError(problems)
    before = outcome.audit_state()
    outcome.state = to_state
    outcome.decided_by_id = by.id
    outcome.decided_at = utcnow()
    outcome.decision_note = note or None
    verb = "Approved" if to_state == APPROVED else "Rejected"
    audit(
        family,
        f"verified_outcome.{'approve' if to_state == APPROVED else 'reject'}",
        f"{verb} the verified outcome {outcome.code} ({outcome.achieved_on:%-d %B %Y}) of family {family.reference}",
        by,
        before={"verified_outcome_id": outcome.id, **before},
        after={"verified_outcome_id": outcome.id, **outcome.audit_state()},
    )
    db.session.commit()
    return outcome


def outcomes(family: Family) -> list[VerifiedOutcome]:
    """The family's verified outcomes, the latest achieved first."""
    return db.session.scalars(
        select(VerifiedOutcome)
        .where(VerifiedOutcome.family_id == family.id)
        .order_by(VerifiedOutcome.achieved_on.desc(), VerifiedOutcome.id.desc())
    ).all()


def awaiting_decision(user) -> list[VerifiedOutcome]:
    """The proposed outcomes of the families the user may see, the longest waiting first."""
    families = visible_families(user).with_only_columns(Family.id)
    return db.session.scalars(
        select(VerifiedOutcome)
        .where(VerifiedOutcome.state == PROPOSED, VerifiedOutcome.family_id.in_(families))
        .order_by(VerifiedOutcome.recorded_at, VerifiedOutcome.id)
    ).all()


def approved_codes(family_ids: Iterable[int], as_of: date) -> dict[int, frozenset[str]]:
    """The codes of the approved outcomes each family achieved on or before `as_of`, in one
    query; every family asked about has an entry (empty when it has none)."""
    ids = list(dict.fromkeys(family_ids))
    if not ids:
        return {}
    found: dict[int, set[str]] = {family_id: set() for family_id in ids}
    rows = db.session.execute(
        select(VerifiedOutcome.family_id, VerifiedOutcome.code)
        .where(
            VerifiedOutcome.family_id.in_(ids),
            VerifiedOutcome.state == APPROVED,
            VerifiedOutcome.achieved_on <= as_of,
        )
        .distinct()
    )
    for family_id, code in rows:
        found[family_id].add(code)
    return {family_id: frozenset(codes) for family_id, codes in found.items()}
