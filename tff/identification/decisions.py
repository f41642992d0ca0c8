"""A person decides a family's criteria: confirms a suggestion, rejects one (saying why), records
a criterion the data does not show (saying what shows it) or withdraws one (saying why).

A suggestion is never a decision (identification.md "Suggested, confirmed, rejected"): only
what these operations write counts towards eligibility. Each writes the audit trail in the
same transaction as the change.
"""

from sqlalchemy import select

from tff.audit.operations import record
from tff.cases.models import IDENTIFIED, Family, FamilyCriterion
from tff.cases.models.identification import CONFIRMED, CRITERIA, FROM_EVIDENCE
from tff.extensions import db
from tff.identification.engine import LOCAL, NATIONAL, PROBLEM, RULE_SET
from tff.identification.models import IdentificationSuggestion, RejectedCriterion
from tff.identification.settings import local_filters
from tff.outcomes.plan_versions.measuring import codes_listed, plan_measuring, problem_titles, why_not_measured
from tff.problems import Refused
from tff.timeutil import utcnow

#: the longest reason or note a person may give
MAX_WORDS = 500
#: a kind of criterion, as people read it
KIND_TITLES = {NATIONAL: "national criterion", PROBLEM: "headline problem", LOCAL: "local filter"}


class CriterionRefused(Refused):
    """The decision cannot be made: `problems` says why, by form field."""


def kinds_of(family: Family) -> tuple[str, ...]:
    """The kinds of criteria a family of this programme is judged on."""
    return (NATIONAL, LOCAL) if family.programme == RULE_SET else (PROBLEM, LOCAL)


def may_carry(family: Family) -> dict[str, dict[str, str]]:
    """kind -> {code: title} of every criterion the family may carry: phase one's national
    criteria, the headline problems of the plan that measures the family (none when no plan
    does), and the local filters."""
    carried: dict[str, dict[str, str]] = {}
    for kind in kinds_of(family):
        if kind == PROBLEM:
            carried[kind] = problem_titles(plan_measuring(family))
        else:
            carried[kind] = local_filters() if kind == LOCAL else dict(CRITERIA[kind])
    return carried


def titles_of(family: Family, carried: dict[str, dict[str, str]] | None = None) -> dict[str, str]:
    """code -> title of every criterion the family may carry (`may_carry`, read here unless
    given), as its eligibility is explained."""
    carried = may_carry(family) if carried is None else carried
    # a local filter taken off the council's list keeps the title it had
    titles = {**CRITERIA[LOCAL], **carried.get(LOCAL, {})}
    for kind in kinds_of(family):
        if kind != LOCAL:
            titles.update(carried[kind])
    return titles


def title_of(family: Family, kind: str, code: str) -> str:
    return may_carry(family).get(kind, {}).get(code) or CRITERIA.get(kind, {}).get(code) or code


def _check_open(family: Family) -> None:
    if family.anonymised_at is not None:
        raise CriterionRefused({"criterion": f"Family {family.reference} is anonymised: its criteria cannot change"})


def _suggestion(family: Family, kind: str, code: str) -> IdentificationSuggestion | None:
    """The family's current suggestion of this criterion, for a family still to be attached."""
    if family.status != IDENTIFIED or family.attached_on is not None:
        return None
    return db.session.scalar(
        select(IdentificationSuggestion).where(
            IdentificationSuggestion.family_id == family.id,
            IdentificationSuggestion.kind == kind,
            IdentificationSuggestion.code == code,
        )
    )


def _held(family: Family, kind: str, code: str) -> FamilyCriterion | None:
    return db.session.scalar(
        select(FamilyCriterion).where(
            FamilyCriterion.family_id == family.id, FamilyCriterion.kind == kind, FamilyCriterion.code == code
        )
    )


def _rejection(family: Family, kind: str, code: str) -> RejectedCriterion | None:
    return db.session.scalar(
        select(RejectedCriterion).where(
            RejectedCriterion.family_id == family.id, RejectedCriterion.kind == kind, RejectedCriterion.code == code
        )
    )


def _words(value: str | None, field: str, asked: str) -> str:
    words = " ".join((value or "").split())
    if not words:
        raise CriterionRefused({field: asked})
    if len(words) > MAX_WORDS:
        raise CriterionRefused({field: f"Keep it to {MAX_WORDS} characters or fewer (it has {len(words)})"})
    return words


def _evidence_note(evidence: list[str]) -> str:
    """The evidence lines as a criterion's note keeps them: as many whole lines as fit."""
    text = "; ".join(evidence)
    if len(text) <= MAX_WORDS:
        return text
    kept: list[str] = []
    for n, line in enumerate(evidence):
        rest = f"; and {len(evidence) - n} more"
        if len("; ".join([*kept, line])) + len(rest) > MAX_WORDS:
            return "; ".join(kept) + rest
        kept.append(line)
    return text[:MAX_WORDS]


def _state(family: Family, kind: str, code: str) -> dict:
    """What the audit trail keeps of one criterion before and after a decision."""
    held, rejection = _held(family, kind, code), _rejection(family, kind, code)
    return {
        "criterion": f"{kind}:{code}",
        "held": held.source if held is not None else None,
        "confirmed": held is not None and (held.source != FROM_EVIDENCE or held.confirmed_at is not None),
        "rejected": rejection.reason if rejection is not None else None,
    }


def _audit(family: Family, action: str, summary: str, before: dict, kind: str, code: str, by) -> None:
    db.session.flush()
    after = _state(family, kind, code)
    record(action, "family", family.reference, summary, before=before, after=after, user=by)


def confirm(family: Family, kind: str, code: str, by) -> FamilyCriterion:
    """Confirm what the evidence suggests: the criterion counts from now, with the evidence
    that made it kept beside it. A rejection of it earlier is taken back."""
    _check_open(family)
    suggestion = _suggestion(family, kind, code)
    if suggestion is None:
        raise CriterionRefused(
            {
                "criterion": f"The evidence does not suggest the {KIND_TITLES.get(kind, kind)} "
                f"“{title_of(family, kind, code)}” for family {family.reference} now; "
                "record it with what shows it instead"
            }
        )
    before = _state(family, kind, code)
    criterion = _held(family, kind, code)
    if criterion is None:
        criterion = FamilyCriterion(family_id=family.id, kind=kind, code=code, source=FROM_EVIDENCE)
        db.session.add(criterion)
    criterion.confirmed_by_id, criterion.confirmed_at = by.id, utcnow()
    criterion.note = _evidence_note(list(suggestion.evidence))
    if (rejection := _rejection(family, kind, code)) is not None:
        db.session.delete(rejection)
    _audit(
        family,
        "family.criterion.confirm",
        f"Confirmed “{title_of(family, kind, code)}” for family {family.reference} from the evidence: {criterion.note}",
        before,
        kind,
        code,
        by,
    )
    db.session.commit()
    return criterion


def reject(family: Family, kind: str, code: str, reason: str | None, by) -> RejectedCriterion:
    """Reject what the evidence suggests, saying why: it stays rejected, with the evidence it
    answered, and never counts, until someone confirms it after all."""
    _check_open(family)
    reason = _words(reason, "reason", "Say why the suggestion is rejected")
    suggestion = _suggestion(family, kind, code)
    if suggestion is None:
        raise CriterionRefused(
            {
                "reason": f"The evidence does not suggest “{title_of(family, kind, code)}” for family "
                f"{family.reference} now, so there is nothing to reject"
            }
        )
    held = _held(family, kind, code)
    if held is not None and (held.source != FROM_EVIDENCE or held.confirmed_at is not None):
        raise CriterionRefused(
            {"reason": f"“{title_of(family, kind, code)}” is confirmed for this family: withdraw it instead"}
        )
    before = _state(family, kind, code)
    rejection = _rejection(family, kind, code) or RejectedCriterion(family_id=family.id, kind=kind, code=code)
    rejection.reason, rejection.evidence = reason, list(suggestion.evidence)
    rejection.rejected_by_id, rejection.rejected_at = by.id, utcnow()
    db.session.add(rejection)
    if held is not None:  # an unconfirmed criterion from the evidence: the rejection answers it
        db.session.delete(held)
    _audit(
        family,
        "family.criterion.reject",
        f"Rejected the suggestion “{title_of(family, kind, code)}” for family {family.reference}: {reason}",
        before,
        kind,
        code,
        by,
    )
    db.session.commit()
    return rejection


def record_criteria(family: Family, chosen: list[tuple[str, str]], note: str | None, by) -> list[FamilyCriterion]:
    """Record criteria the data does not show, with what shows them (a person's note): each
    counts from now. One the evidence suggests is better confirmed; either way it is kept."""
    _check_open(family)
    if not chosen:
        raise CriterionRefused({"criteria": "Choose at least one criterion the family meets"})
    note = _words(note, "note", "Say what shows the family meets them, for example a referral or a visit")
    carried = may_carry(family)
    problems = []
    for kind, code in chosen:
        if code not in carried.get(kind, {}):
            plan = plan_measuring(family) if kind == PROBLEM else None
            if kind == PROBLEM and plan is None:
                problems.append(f"Headline problems cannot be recorded for this family: {why_not_measured(family)}")
            elif plan is not None:
                problems.append(f"Not a headline problem of this family's outcome plan: {code} ({codes_listed(plan)})")
            else:
                problems.append(f"“{code}” is not a {KIND_TITLES.get(kind, 'criterion')} this family can meet")
        elif _held(family, kind, code) is not None:
            problems.append(f"“{carried[kind][code]}” is recorded already")
    if problems:
        raise CriterionRefused({"criteria": "; ".join(dict.fromkeys(problems))})
    made = []
    now = utcnow()
    for kind, code in chosen:
        before = _state(family, kind, code)
        criterion = FamilyCriterion(
            family_id=family.id,
            kind=kind,
            code=code,
            source=CONFIRMED,
            confirmed_by_id=by.id,
            confirmed_at=now,
            note=note,
        )
        db.session.add(criterion)
        if (rejection := _rejection(family, kind, code)) is not None:
            db.session.delete(rejection)
        _audit(
            family,
            "family.criterion.record",
            f"Recorded “{carried[kind][code]}” for family {family.reference}: {note}",
            before,
            kind,
            code,
            by,
        )
        made.append(criterion)
    db.session.commit()
    return made


def withdraw(family: Family, kind: str, code: str, reason: str | None, by) -> None:
    """Withdraw a confirmed or imported criterion, saying why: it no longer counts. An attached
    family's attachment stays as it was; the audit trail keeps what it rested on."""
    _check_open(family)
    reason = _words(reason, "reason", "Say why the criterion is withdrawn")
    held = _held(family, kind, code)
    if held is None:
        raise CriterionRefused(
            {"reason": f"“{title_of(family, kind, code)}” is not recorded for family {family.reference}"}
        )
    before = _state(family, kind, code)
    db.session.delete(held)
    _audit(
        family,
        "family.criterion.withdraw",
        f"Withdrew “{title_of(family, kind, code)}” from family {family.reference}: {reason}",
        before,
        kind,
        code,
        by,
    )
    db.session.commit()
