"""`flask outcomes --as-of DATE [--family REF] [--json]` as the command-line contract fixes it,
on the phase one framework's worked example 1, through the database and the set-based loader."""

import json
from datetime import date

import pytest

from tests.helpers import Maker
from tff.cases.models import Member
from tff.evidence.models import AttendanceRecord, Event
from tff.extensions import db


@pytest.fixture
def run(clean):
    runner = clean.test_cli_runner()

    def invoke(*args):
        return runner.invoke(args=["outcomes", *args])

    return invoke


def _example_one(app, reference: str, asb_recent: int = 1) -> None:
    """Attached 2012-09-15; child C (born 2001-05-01) 20% unauthorised absence over the three
    baseline terms and 8% over the three measurement terms; 5 ASB incidents before attachment
    and `asb_recent` after."""
    family = Maker(app).family(reference, status="attached", attached_on=date(2012, 9, 15))
    with app.app_context():
        child = Member(
            family_id=family.id,
            person_ref=f"{reference}-C",
            first_name="Casey",
            last_name="Child",
            date_of_birth=date(2001, 5, 1),
        )
        db.session.add(child)
        db.session.flush()
        terms = [("2011/12", t, 20) for t in ("autumn", "spring", "summer")]
        terms += [("2012/13", t, 8) for t in ("autumn", "spring", "summer")]
        for year, term, absent in terms:
            db.session.add(
                AttendanceRecord(
                    member_id=child.id, academic_year=year, term=term, possible=100, unauthorised=absent, school=""
                )
            )
        baseline = [date(2012, 3, 15), date(2012, 5, 1), date(2012, 6, 1), date(2012, 8, 1), date(2012, 9, 14)]
        recent = [date(2013, 5, 10), date(2013, 6, 1), date(2013, 7, 1)][:asb_recent]
        for day in baseline + recent:
            db.session.add(Event(member_id=child.id, kind="asb", date=day, source="police", detail=""))
        db.session.commit()


def test_json_has_an_object_per_family_and_result_sorted_by_reference_then_outcome(run, clean):
    _example_one(clean, "F002", asb_recent=3)
    _example_one(clean, "F001")
    Maker(clean).family("F003")  # identified, not attached: no results
    result = run("--as-of", "2013-07-31", "--json")
    assert result.exit_code == 0, result.output
    decisions = json.loads(result.output)
    keys = [(d["family_ref"], d["outcome"]) for d in decisions]
    assert keys == sorted(keys)
    assert {ref for ref, _ in keys} == {"F001", "F002"}
    assert all(
        set(d) == {"family_ref", "rule_set", "outcome", "met", "claimable", "amount", "reasons"} for d in decisions
    )
    by = {(d["family_ref"], d["outcome"]): d for d in decisions}
    met = by["F001", "crime_asb_education"]
    assert (met["rule_set"], met["met"], met["claimable"], met["amount"]) == ("phase1", True, True, 700)
    assert any("5 -> 1" in reason for reason in met["reasons"])
    # Example 2: three incidents in the recent window, (5 - 3) / 5 = 40% < 60%.
    missed = by["F002", "crime_asb_education"]
    assert (missed["met"], missed["claimable"], missed["amount"]) == (False, False, None)
    assert any("5 -> 3" in reason for reason in missed["reasons"])
    assert by["F001", "continuous_employment"]["met"] is False


def test_one_family_and_the_earlier_date_of_example_three(run, clean):
    _example_one(clean, "F001")
    _example_one(clean, "F002")
    result = run("--as-of", "2013-03-31", "--family", "F001", "--json")
    assert result.exit_code == 0, result.output
    decisions = json.loads(result.output)
    assert {d["family_ref"] for d in decisions} == {"F001"}
    crime = next(d for d in decisions if d["outcome"] == "crime_asb_education")
    assert crime["met"] is False  # only two measurement terms have ended

    text = run("--as-of", "2013-07-31", "--family", "F001")
    assert text.exit_code == 0, text.output
    assert "crime_asb_education" in text.output and "claimable £700" in text.output


def test_a_family_that_is_not_there_or_not_attached_fails_with_a_message(run, clean):
    Maker(clean).family("F009")
    missing = run("--as-of", "2013-07-31", "--family", "NOPE")
    assert missing.exit_code == 1 and "no family with the reference" in missing.output
    unattached = run("--as-of", "2013-07-31", "--family", "F009")
    assert unattached.exit_code == 1 and "not attached" in unattached.output
    bad_date = run("--as-of", "2013-02-30")
    assert bad_date.exit_code == 2


def test_no_attached_families_is_an_empty_array(run):
    result = run("--as-of", "2013-07-31", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == []
