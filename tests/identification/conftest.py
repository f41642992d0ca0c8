"""Builders of a family's facts for the identification rules: no database, no app."""

from datetime import date

from tff.identification.engine import Settings
from tff.outcomes.facts import AttendanceFact, EventFact, FamilyFacts, MemberFacts, SpellFact

D = date.fromisoformat

ADULT_ID, CHILD_ID = 1, 2
#: 32 on the dates used here
ADULT = MemberFacts(ADULT_ID, "P001", "Pat Parent", D("1981-03-02"))
#: 11 on the dates used here
CHILD = MemberFacts(CHILD_ID, "P002", "Casey Child", D("2002-01-20"))
#: phase one's out-of-work benefits as the settings page lists them
SETTINGS = Settings(out_of_work_benefits=frozenset({"JSA", "ESA", "IS", "IB"}))
#: the last 3 terms on this date (default calendar): autumn 2012, spring 2013, summer 2013
AS_OF = D("2013-08-15")
LAST_3_TERMS = (("2012/13", "autumn"), ("2012/13", "spring"), ("2012/13", "summer"))


def family(*, events=(), spells=(), attendance=(), members=(ADULT, CHILD), programme="phase1") -> FamilyFacts:
    return FamilyFacts(1, "F001", programme, None, tuple(members), tuple(attendance), tuple(events), tuple(spells))


def event(kind, day, member=CHILD_ID, source="police", reference=None) -> EventFact:
    return EventFact(member, kind, D(day), source, reference)


def spell(detail, start, end=None, member=ADULT_ID, kind="benefit") -> SpellFact:
    return SpellFact(member, kind, detail, D(start), D(end) if end else None)


def terms(possible, unauthorised, authorised=0, member=CHILD_ID, which=LAST_3_TERMS) -> list[AttendanceFact]:
    """The same sessions in each of the terms (the last 3 on AS_OF by default)."""
    return [AttendanceFact(member, year, term, possible, unauthorised, authorised) for year, term in which]
