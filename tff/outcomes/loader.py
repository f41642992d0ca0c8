"""The facts of many families at once, for the engine: a handful of set-based queries per
chunk of families, whatever the chunk's size, and only the evidence the rules read.

This module is the engine's one door to the database; `phase1` never sees a session.
"""

from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from flask import current_app
from sqlalchemy import select

from tff.cases.models import Family, Member
from tff.evidence.models import AttendanceRecord, Event, Spell
from tff.evidence.settings import TermCalendar as CalendarSetting
from tff.evidence.settings import out_of_work_codes
from tff.extensions import db
from tff.imports.kinds.base import among
from tff.outcomes.decisions import Decision
from tff.outcomes.facts import (
    AttendanceFact,
    ClaimHistory,
    EventFact,
    FamilyFacts,
    MemberFacts,
    SpellFact,
    TermCalendar,
)
from tff.outcomes.phase1 import RULE_SET, Phase1Settings, evaluate

#: the event kinds phase one reads
EVENT_KINDS = ("asb", "offence", "fixed_exclusion", "permanent_exclusion")
#: the spell kinds phase one reads
SPELL_KINDS = ("benefit", "employment", "work_programme", "esf")


def calendar() -> TermCalendar:
    """Every term an administrator set; the engine fills in the default for other years."""
    rows = db.session.scalars(select(CalendarSetting))
    return TermCalendar.from_years({row.academic_year: row.dates() for row in rows})


def settings() -> Phase1Settings:
    """Phase one's thresholds, with the out-of-work benefits an administrator chose."""
    return Phase1Settings(out_of_work_benefits=frozenset(out_of_work_codes()))


def _rows(query):
    """A column query's rows, executed as Core: no ORM result processing for plain columns."""
    return db.session.connection().execute(query).all()


def load(family_ids: list[int]) -> list[FamilyFacts]:
    """The facts of these families (in id order): five queries, whatever their number."""
    if not family_ids:
        return []
    members: dict[int, list[MemberFacts]] = defaultdict(list)
    family_of: dict[int, int] = {}
    query = select(
        Member.id, Member.family_id, Member.person_ref, Member.first_name, Member.last_name, Member.date_of_birth
    ).where(among(Member.family_id, family_ids))
    for member_id, family_id, ref, first, last, born in _rows(query):
        members[family_id].append(MemberFacts(member_id, ref, f"{first} {last}", born))
        family_of[member_id] = family_id

    in_families = select(Member.id).where(among(Member.family_id, family_ids))
    attendance: dict[int, list[AttendanceFact]] = defaultdict(list)
    query = select(
        AttendanceRecord.member_id,
        AttendanceRecord.academic_year,
        AttendanceRecord.term,
        AttendanceRecord.possible,
        AttendanceRecord.unauthorised,
    ).where(AttendanceRecord.member_id.in_(in_families))
    for row in _rows(query):
        attendance[family_of[row[0]]].append(AttendanceFact(*row))
    events: dict[int, list[EventFact]] = defaultdict(list)
    query = select(Event.member_id, Event.kind, Event.date).where(
        Event.member_id.in_(in_families), Event.kind.in_(EVENT_KINDS)
    )
    for row in _rows(query):
        events[family_of[row[0]]].append(EventFact(*row))
    spells: dict[int, list[SpellFact]] = defaultdict(list)
    query = select(Spell.member_id, Spell.kind, Spell.detail, Spell.start_date, Spell.end_date).where(
        Spell.member_id.in_(in_families), Spell.kind.in_(SPELL_KINDS)
    )
    for row in _rows(query):
        spells[family_of[row[0]]].append(SpellFact(*row))

    query = (
        select(Family.id, Family.reference, Family.programme, Family.attached_on)
        .where(among(Family.id, family_ids))
        .order_by(Family.id)
    )
    return [
        FamilyFacts(
            family_id,
            reference,
            programme,
            attached_on,
            tuple(members[family_id]),
            tuple(attendance[family_id]),
            tuple(events[family_id]),
            tuple(spells[family_id]),
        )
        for family_id, reference, programme, attached_on in _rows(query)
    ]


def attached_families(programme: str = RULE_SET, after: str = "", limit: int | None = None) -> list[tuple[int, str]]:
    """The next `limit` attached families of the programme, (id, reference) in reference
    order: a chunk of the cohort, read by the unique index on the reference."""
    query = (
        select(Family.id, Family.reference)
        .where(Family.programme == programme, Family.attached_on.is_not(None), Family.reference > after)
        .order_by(Family.reference)
        .limit(limit or current_app.config["OUTCOMES_CHUNK"])
    )
    return [tuple(row) for row in _rows(query)]


def decide_each(family_ids: list[int], as_of: date, rules: Phase1Settings, terms: TermCalendar):
    """(facts, decisions) of each phase one family of these, as of the date. (Claim history
    arrives with claim batches; until a family has claimed, its history is empty.)"""
    return [
        (facts, evaluate(facts, rules, terms, ClaimHistory(), as_of))
        for facts in load(family_ids)
        if facts.programme == RULE_SET
    ]


def decide(family_ids: list[int], as_of: date, rules: Phase1Settings, terms: TermCalendar) -> list[Decision]:
    """The phase one decisions of these families as of the date, sorted by family reference
    then outcome."""
    decisions = [d for _, decided in decide_each(family_ids, as_of, rules, terms) for d in decided]
    return sorted(decisions, key=lambda d: (d.family_ref, d.outcome))


def cohort(as_of: date) -> Iterator[list[Decision]]:
    """Every attached phase one family's decisions, a chunk of families at a time, in the
    order of their references."""
    rules, terms = settings(), calendar()
    after = ""
    while chunk := attached_families(after=after):
        yield decide([family_id for family_id, _ in chunk], as_of, rules, terms)
        after = chunk[-1][1]
