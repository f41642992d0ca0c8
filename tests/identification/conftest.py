"""Fixtures of identification: builders of a family's facts for the rules (no database, no
app), and `suggested`, a family in the database whose suggestions are worked out."""

from datetime import date

import pytest

from tests.case_work import member
from tests.helpers import Maker
from tff.evidence.models import AttendanceRecord, Event, Spell
from tff.extensions import db
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


#: the date `suggested` is worked out on
SUGGESTED_AS_OF = "2013-08-15"


@pytest.fixture
def suggested(clean):
    """F001, phase one, identified, with the evidence of all three national criteria on 15 August
    2013 (a child's ASB, police E123; a parent's ESA; the child's 20% unauthorised absence over
    the last 3 terms), its suggestions worked out as `flask identify` does."""
    made = Maker(clean).family("F001", identified_on=date(2013, 1, 1))
    child = member(clean, made.id, "Casey", "Child", date(2001, 5, 1), relationship="son", ref="F001-02")
    parent = member(clean, made.id, "Pat", "Parent", date(1980, 5, 1), ref="F001-01")
    with clean.app_context():
        db.session.add(Event(member_id=child, kind="asb", date=date(2013, 2, 11), source="police", reference="E123"))
        db.session.add(Spell(member_id=parent, kind="benefit", detail="ESA", start_date=date(2012, 1, 1)))
        for term in ("autumn", "spring", "summer"):
            db.session.add(
                AttendanceRecord(
                    member_id=child, academic_year="2012/13", term=term, possible=100, unauthorised=20, school=""
                )
            )
        db.session.commit()
    result = clean.test_cli_runner().invoke(args=["identify", "--as-of", SUGGESTED_AS_OF])
    assert result.exit_code == 0, result.output
    return made
