"""Families a cohort job could not decide: why, in plain words, and keeping that.

A cohort job (the results of the cohort, a claim window's assembly, or another job over many
families) decides each family on its own: when deciding one family fails, that family gets no
result and a reason instead, and the job goes on with the others. One bad record must never
stop every other family's results, or their money.

The reason names the cause when it is known (a date the rules cannot measure from, like an
attachment date of 0001-01-01 stored before dates were checked); otherwise it gives the error
itself, and the traceback goes to the log for whoever looks after the system.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import insert, select

from tff.cases.models import Family
from tff.extensions import db
from tff.outcomes.models import UndecidedFamily

if TYPE_CHECKING:  # for annotations only: the facts import the evidence package, which imports the engine
    from tff.outcomes.facts import FamilyFacts

log = logging.getLogger(__name__)

#: the rules measure windows of years either side of a date: one this close to the ends of
#: the calendar a computer can hold cannot be measured from
EDGE = timedelta(days=5 * 366)
FIRST_MEASURABLE = date.min + EDGE
LAST_MEASURABLE = date.max - EDGE
#: errors of date arithmetic that ran off the calendar (`year 0 is out of range`, ...)
DATE_ERRORS = (ValueError, OverflowError)


@dataclass(frozen=True, slots=True)
class Undecided:
    """A family that could not be decided, and why."""

    family_id: int
    family_ref: str
    reason: str


def measurable(day: date) -> bool:
    return FIRST_MEASURABLE <= day <= LAST_MEASURABLE


def _first_year(academic_year: str) -> int | None:
    try:
        return int((academic_year or "")[:4])
    except ValueError:
        return None


def _odd_dates(facts: FamilyFacts, as_of: date | None) -> Iterable[str]:
    """Each date of the family the rules cannot measure from, named as a person would."""
    if facts.attached_on is not None and not measurable(facts.attached_on):
        yield f"the attachment date {facts.attached_on.isoformat()}"
    if as_of is not None and not measurable(as_of):
        yield f"the as of date {as_of.isoformat()}"
    names = {m.member_id: m.person_ref for m in facts.members}
    for member in facts.members:
        if not measurable(member.date_of_birth):
            yield f"the date of birth {member.date_of_birth.isoformat()} of {member.person_ref}"
    for event in facts.events:
        if not measurable(event.date):
            who = names.get(event.member_id, "a member")
            yield f"the date {event.date.isoformat()} of a {event.kind} event of {who}"
    for spell in facts.spells:
        for day in (spell.start_date, spell.end_date):
            if day is not None and not measurable(day):
                who = names.get(spell.member_id, "a member")
                yield f"the date {day.isoformat()} of a {spell.kind} spell of {who}"
    for record in facts.attendance:
        first = _first_year(record.academic_year)
        if first is None or not FIRST_MEASURABLE.year <= first <= LAST_MEASURABLE.year:
            who = names.get(record.member_id, "a member")
            yield f"the academic year {record.academic_year} of an attendance record of {who}"


def reason_for(exc: BaseException, facts: FamilyFacts, as_of: date | None = None) -> str:
    """Why the family could not be decided, as specific as the cause is known; the traceback
    is logged (call this from the `except` block)."""
    log.error("family %s could not be decided", facts.family_ref, exc_info=exc)
    if isinstance(exc, DATE_ERRORS):
        odd = list(_odd_dates(facts, as_of))
        if odd:
            return f"{odd[0]} is outside the dates the rules can measure"
    return f"an unexpected error: {exc}"


def record(rows: Iterable[Undecided], evaluation_id: int | None = None, job_id: int | None = None) -> int:
    """Keep the families a job could not decide (in the caller's transaction); returns how many."""
    values = [
        {
            "evaluation_id": evaluation_id,
            "job_id": job_id,
            "family_id": row.family_id,
            "family_ref": row.family_ref,
            "reason": row.reason,
        }
        for row in rows
    ]
    if values:
        db.session.execute(insert(UndecidedFamily), values)
    return len(values)


def of_evaluation(evaluation_id: int | None, families=None) -> list[UndecidedFamily]:
    """The families an evaluation could not decide, by reference; only those among `families`
    (a query of families, like `visible_families(user)`) when it is given."""
    if evaluation_id is None:
        return []
    query = select(UndecidedFamily).where(UndecidedFamily.evaluation_id == evaluation_id)
    if families is not None:
        query = query.where(UndecidedFamily.family_id.in_(families.with_only_columns(Family.id)))
    return list(db.session.scalars(query.order_by(UndecidedFamily.family_ref, UndecidedFamily.id)))
