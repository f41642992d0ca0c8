"""Recording a spot check of a submitted claim and its findings.

The national team names families from a submitted claim; finance records them against the
window (each must have a result included in it), and then, family by family, what the check
found. A family whose results are not upheld has them clawed back at once: a negative entry
against the window for the amount its included lines claimed, which funding counts as money
taken back. A finding is recorded once; a clawback recorded by mistake is reversed on the
window's page like any other entry, with a reason.
"""

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from tff.audit.operations import record
from tff.claims import operations as claims
from tff.claims.models import SUBMITTED, ClaimLine, ClaimWindow
from tff.claims.spot_checks.models import FINDINGS, NOT_UPHELD, UPHELD, SpotCheck, SpotCheckFamily
from tff.dates import today
from tff.extensions import db
from tff.problems import Refused
from tff.timeutil import utcnow

#: the most families one check names (a sample, not the whole claim)
MOST_FAMILIES = 500
REFERENCE_MAX = 100
NOTE_MAX = 2000
_SEPARATORS = re.compile(r"[\s,;]+")


def references(text: str | None) -> list[str]:
    """The family references typed or pasted, one per line or separated by commas, each once,
    in the order given."""
    return list(dict.fromkeys(ref for ref in _SEPARATORS.split(text or "") if ref))


def included(window: ClaimWindow, refs: list[str]) -> dict[str, tuple[int, int]]:
    """reference -> (family id, amount of its included lines) of those of `refs` the window's
    claim includes, in one query."""
    if not refs:
        return {}
    rows = db.session.execute(
        select(ClaimLine.family_ref, ClaimLine.family_id, func.sum(ClaimLine.amount))
        .where(ClaimLine.batch_id == window.batch.id, ~ClaimLine.excluded, ClaimLine.family_ref.in_(refs))
        .group_by(ClaimLine.family_ref, ClaimLine.family_id)
    )
    return {ref: (family_id, int(amount)) for ref, family_id, amount in rows}


def record_check(
    window: ClaimWindow, selected_on: date | None, families: str, reference: str | None, user
) -> SpotCheck:
    """Record the families the national team selected from the window's submitted claim."""
    problems = {}
    if window.batch is None or window.batch.state != SUBMITTED:
        raise Refused(
            {"families": f"The claim for {window.name} has not been submitted: a spot check follows submission."}
        )
    refs = references(families)
    if not refs:
        problems["families"] = "Enter the references of the families the national team selected"
    elif len(refs) > MOST_FAMILIES:
        problems["families"] = f"A spot check names at most {MOST_FAMILIES:,} families; {len(refs):,} were entered"
    else:
        found = included(window, refs)
        missing = [ref for ref in refs if ref not in found]
        if missing:
            named = ", ".join(missing[:10]) + (f" and {len(missing) - 10:,} more" if len(missing) > 10 else "")
            problems["families"] = (
                f"The claim for {window.name} includes no result of {named}: check the references against the claim"
            )
    if selected_on is None:
        problems["selected_on"] = "Enter the date the national team selected the families"
    elif selected_on > today():
        problems["selected_on"] = "The date the families were selected must be today or in the past"
    reference = (reference or "").strip() or None
    if reference is not None and len(reference) > REFERENCE_MAX:
        problems["reference"] = f"The reference must be {REFERENCE_MAX} characters or fewer"
    if problems:
        raise Refused(problems)
    check = SpotCheck(
        window_id=window.id, selected_on=selected_on, reference=reference, created_by_id=user.id if user else None
    )
    db.session.add(check)
    db.session.flush()
    db.session.add_all(
        [SpotCheckFamily(spot_check_id=check.id, family_id=found[ref][0], family_ref=ref) for ref in refs]
    )
    record(
        "spot_check.record",
        "spot_check",
        check.id,
        f"Spot check of the claim for {window.name} recorded: {len(refs):,} families selected on "
        f"{selected_on.isoformat()} ({', '.join(refs[:20])}{', …' if len(refs) > 20 else ''})",
        None,
        {"window_id": window.id, "selected_on": selected_on, "reference": reference, "families": refs},
        user=user,
    )
    db.session.commit()
    return check


def get_check(window: ClaimWindow, check_id: int) -> SpotCheck | None:
    check = db.session.get(SpotCheck, check_id)
    return check if check is not None and check.window_id == window.id else None


def checks_of(window: ClaimWindow) -> list[SpotCheck]:
    return list(db.session.scalars(select(SpotCheck).where(SpotCheck.window_id == window.id).order_by(SpotCheck.id)))


def decide(
    window: ClaimWindow,
    entry: SpotCheckFamily,
    finding: str | None,
    note: str | None,
    user,
    clawed_back_on: date | None = None,
) -> SpotCheckFamily:
    """Record what the check found of the family's results; one not upheld is clawed back (its
    included lines' amount) in the same transaction."""
    problems = {}
    if entry.finding is not None:
        raise Refused(
            {"finding": f"The finding for {entry.family_ref} is recorded already: {entry.finding_words.lower()}"}
        )
    if finding not in FINDINGS:
        problems["finding"] = "Choose whether the check upheld the family’s results"
    note = (note or "").strip()
    if not note:
        problems["note"] = "Say what the check found"
    elif len(note) > NOTE_MAX:
        problems["note"] = f"The note must be {NOTE_MAX:,} characters or fewer"
    if problems:
        raise Refused(problems)
    entry.finding, entry.note = finding, note
    entry.decided_by_id, entry.decided_at = (user.id if user else None), utcnow()
    record(
        "spot_check.finding",
        "spot_check_family",
        entry.id,
        f"Spot check {entry.spot_check_id} of the claim for {window.name}: {entry.family_ref} "
        f"{FINDINGS[finding].lower()}: {note}",
        None,
        {"finding": finding, "note": note},
        user=user,
    )
    if finding == NOT_UPHELD:
        _family_id, amount = included(window, [entry.family_ref]).get(entry.family_ref, (None, 0))
        if amount:
            # claw_back commits the finding with the clawback; the link follows at once
            clawback = claims.claw_back(
                window,
                amount,
                clawed_back_on or today(),
                f"Spot check {entry.spot_check_id}: {entry.family_ref} not upheld: {note}",
                user,
            )
            entry.clawback_id = clawback.id
    db.session.commit()
    return entry


@dataclass
class Summary:
    families: int
    upheld: int
    not_upheld: int
    clawed_back: int

    @property
    def waiting(self) -> int:
        return self.families - self.upheld - self.not_upheld


def summary(check: SpotCheck) -> Summary:
    from tff.claims.models import Payment

    clawed = db.session.scalar(
        select(func.coalesce(func.sum(Payment.amount), 0))
        .join(SpotCheckFamily, SpotCheckFamily.clawback_id == Payment.id)
        .where(SpotCheckFamily.spot_check_id == check.id)
    )
    findings = [f.finding for f in check.families]
    return Summary(len(findings), findings.count(UPHELD), findings.count(NOT_UPHELD), -int(clawed or 0))
