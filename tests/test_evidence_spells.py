"""spells.csv: a benefit needs its code, an end date is never before the start, and a later
extract closing an open spell updates it (by reference, or by person, kind, detail and start)."""

import pytest
from sqlalchemy import select

from tests.imports_support import cohort, run_import, spells_csv
from tff.audit.models import AuditEntry
from tff.cases.models import Member
from tff.evidence.models import Spell, UnmatchedRow
from tff.extensions import db


def spell(kind="benefit", start_date="2012-06-01", **values) -> dict:
    return {"kind": kind, "start_date": start_date, **values}


def _spells(app) -> list[tuple]:
    with app.app_context():
        query = (
            select(Member.person_ref, Spell.kind, Spell.detail, Spell.start_date, Spell.end_date, Spell.reference)
            .join(Member, Spell.member_id == Member.id)
            .order_by(Spell.id)
        )
        return [
            (p, k, d, s.isoformat(), e.isoformat() if e else None, r) for p, k, d, s, e, r in db.session.execute(query)
        ]


@pytest.fixture
def people(clean):
    cohort(clean)
    return clean


def test_spells_are_checked_and_stored(people):
    data = spells_csv(
        spell(nino="QQ123456C", detail="jsa", reference="D1", source="DWP"),
        spell(person_ref="F001-02", kind="cin_plan", start_date="2012-01-01", end_date="2012-12-31"),
        spell(person_ref="F001-01"),  # a benefit without its code
        spell(person_ref="F001-01", kind="cp_plan", start_date="2013-01-02", end_date="2013-01-01"),
        spell(person_ref="F001-01", kind="holiday", start_date="2013-02-30"),
        spell(person_ref="NOBODY", kind="employment", detail="16 hours"),
    )
    result = run_import(people, "spells", data)
    assert (result.accepted, result.rejected, result.unmatched) == (2, 3, 1)
    assert result.rejections[4] == ["detail is empty; for a benefit spell it is required: the benefit code, e.g. JSA"]
    assert result.rejections[5] == ["end_date 2013-01-01 is before start_date 2013-01-02"]
    assert len(result.rejections[6]) == 2
    assert _spells(people) == [
        ("F001-01", "benefit", "JSA", "2012-06-01", None, "D1"),
        ("F001-02", "cin_plan", "", "2012-01-01", "2012-12-31", None),
    ]
    with people.app_context():
        assert db.session.scalar(select(UnmatchedRow.kind)) == "spells"


def test_a_later_extract_closes_open_spells(people):
    first = spells_csv(
        spell(person_ref="F001-01", detail="ESA", reference="D1", source="dwp"),
        spell(person_ref="F001-01", detail="IS"),
        spell(person_ref="F001-03", kind="looked_after", start_date="2011-01-01"),
    )
    assert run_import(people, "spells", first).tally == {"created": 3, "updated": 0, "unchanged": 0}
    assert run_import(people, "spells", first).tally == {"created": 0, "updated": 0, "unchanged": 3}
    later = spells_csv(
        spell(person_ref="F001-01", detail="ESA", reference="D1", source="dwp", end_date="2013-03-31"),
        spell(person_ref="F001-01", detail="is", end_date="2013-02-28"),
        spell(person_ref="F001-03", kind="looked_after", start_date="2011-01-01"),
        # a new spell, then the same spell again later in the file, closed
        spell(person_ref="F001-02", kind="cp_plan", start_date="2013-01-01"),
        spell(person_ref="F001-02", kind="cp_plan", start_date="2013-01-01", end_date="2013-04-01"),
    )
    result = run_import(people, "spells", later)
    assert result.tally == {"created": 1, "updated": 3, "unchanged": 1}
    assert _spells(people) == [
        ("F001-01", "benefit", "ESA", "2012-06-01", "2013-03-31", "D1"),
        ("F001-01", "benefit", "IS", "2012-06-01", "2013-02-28", None),
        ("F001-03", "looked_after", "", "2011-01-01", None, None),
        ("F001-02", "cp_plan", "", "2013-01-01", "2013-04-01", None),
    ]
    with people.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "spell.import_update")).all()
        assert sorted(e.after["end_date"] for e in entries) == ["2013-02-28", "2013-03-31"]
        assert all(e.before == {"end_date": None} for e in entries)


def test_a_file_without_an_end_date_column_leaves_end_dates_alone(people):
    run_import(people, "spells", spells_csv(spell(person_ref="F001-01", detail="JSA", end_date="2013-01-31")))
    header = ["person_ref", "kind", "start_date", "detail"]
    result = run_import(people, "spells", spells_csv(spell(person_ref="F001-01", detail="JSA"), header=header))
    assert result.tally == {"created": 0, "updated": 0, "unchanged": 1}
    assert _spells(people)[0][4] == "2013-01-31"
