"""`flask identify --as-of DATE [--family REF] [--json]` as `identification.md` fixes it, on a
small cohort through the database: the contract's shape, sorted by reference, only families
identified and not attached, a family with no evidence listed with nothing suggested."""

import json
from datetime import date

import pytest

from tests.helpers import Maker
from tff.cases.models import FamilyCriterion, Member
from tff.cases.models.identification import CONFIRMED, FROM_EVIDENCE, IMPORTED
from tff.evidence.models import AttendanceRecord, Event, Spell
from tff.extensions import db
from tff.identification.models import IdentificationSuggestion, RejectedCriterion
from tff.outcomes.models import UndecidedFamily

KEYS = {"family_ref", "programme", "suggested", "confirmed", "eligible", "eligible_if_confirmed", "evidence"}


@pytest.fixture
def run(clean):
    runner = clean.test_cli_runner(mix_stderr=False) if _mixes() else clean.test_cli_runner()

    def invoke(*args):
        return runner.invoke(args=["identify", *args])

    return invoke


def _mixes() -> bool:
    import inspect

    from click.testing import CliRunner

    return "mix_stderr" in inspect.signature(CliRunner.__init__).parameters


def _member(family_id, ref, born):
    member = Member(family_id=family_id, person_ref=ref, first_name="A", last_name=ref, date_of_birth=born)
    db.session.add(member)
    db.session.flush()
    return member.id


def _cohort(app):
    """F001: a child's ASB (police E123) and a parent's ESA, education confirmed by a person.
    F002: a child's 20% absence over the last 3 terms, nothing confirmed. F003: members, no
    evidence. F004: no members. F005: attached (left out). F006: an ASB a year and a day old."""
    make = Maker(app)
    ids = {ref: make.family(ref, identified_on=date(2013, 1, 1)).id for ref in ("F002", "F001", "F003", "F004", "F006")}
    ids["F005"] = make.family("F005", status="attached", attached_on=date(2013, 1, 1)).id
    with app.app_context():
        child = _member(ids["F001"], "P1C", date(2001, 5, 1))
        parent = _member(ids["F001"], "P1P", date(1980, 5, 1))
        db.session.add(Event(member_id=child, kind="asb", date=date(2013, 2, 11), source="police", reference="E123"))
        db.session.add(Spell(member_id=parent, kind="benefit", detail="ESA", start_date=date(2012, 1, 1)))
        db.session.add(FamilyCriterion(family_id=ids["F001"], kind="national", code="education", source=CONFIRMED))
        db.session.add(FamilyCriterion(family_id=ids["F001"], kind="national", code="crime_asb", source=FROM_EVIDENCE))
        pupil = _member(ids["F002"], "P2C", date(2003, 5, 1))
        for term in ("autumn", "spring", "summer"):
            db.session.add(
                AttendanceRecord(
                    member_id=pupil, academic_year="2012/13", term=term, possible=100, unauthorised=20, school=""
                )
            )
        db.session.add(FamilyCriterion(family_id=ids["F002"], kind="local", code="deprived_area", source=IMPORTED))
        _member(ids["F003"], "P3P", date(1980, 5, 1))
        attached = _member(ids["F005"], "P5C", date(2001, 5, 1))
        db.session.add(Event(member_id=attached, kind="asb", date=date(2013, 2, 11), source="police"))
        old = _member(ids["F006"], "P6C", date(2001, 5, 1))
        db.session.add(Event(member_id=old, kind="asb", date=date(2012, 8, 14), source="police"))
        db.session.commit()
    return ids


def test_json_is_one_object_per_identified_family_sorted_with_the_contracts_keys(run, clean):
    _cohort(clean)
    result = run("--as-of", "2013-08-14", "--json")
    assert result.exit_code == 0, result.output
    families = json.loads(result.stdout)
    assert [f["family_ref"] for f in families] == ["F001", "F002", "F003", "F004", "F006"]
    assert all(set(f) == KEYS for f in families)
    by = {f["family_ref"]: f for f in families}
    assert by["F001"] == {
        "family_ref": "F001",
        "programme": "phase1",
        "suggested": ["crime_asb", "work"],
        "confirmed": ["education"],
        "eligible": False,
        "eligible_if_confirmed": True,
        "evidence": {"crime_asb": ["asb 2013-02-11 (police E123)"], "work": ["ESA from 2012-01-01"]},
    }
    # education and a local filter: two national criteria short of one, so not even if confirmed
    assert by["F002"]["suggested"] == ["education"]
    assert by["F002"]["evidence"] == {"education": ["absence 20% over autumn 2012, spring 2013, summer 2013"]}
    assert (by["F002"]["confirmed"], by["F002"]["eligible_if_confirmed"]) == (["deprived_area"], False)
    for ref in ("F003", "F004", "F006"):
        assert (by[ref]["suggested"], by[ref]["evidence"], by[ref]["eligible"]) == ([], {}, False)


def test_a_rejected_suggestion_is_neither_listed_nor_counted_if_confirmed(run, clean):
    ids = _cohort(clean)
    with clean.app_context():
        by = Maker(clean).user("coordinator")
        db.session.add(
            RejectedCriterion(
                family_id=ids["F001"],
                kind="national",
                code="work",
                reason="Not this household's",
                evidence=[],
                rejected_by_id=by.id,
            )
        )
        db.session.commit()
    by_ref = {f["family_ref"]: f for f in json.loads(run("--as-of", "2013-08-14", "--json").stdout)}
    assert by_ref["F001"]["suggested"] == ["crime_asb"]
    assert by_ref["F001"]["evidence"] == {"crime_asb": ["asb 2013-02-11 (police E123)"]}
    # education confirmed, crime_asb suggested, work rejected: two national criteria, no local filter
    assert (by_ref["F001"]["eligible"], by_ref["F001"]["eligible_if_confirmed"]) == (False, False)


def test_the_asb_of_the_day_a_year_before_counts_no_longer_on_the_next(run, clean):
    _cohort(clean)
    day_before = json.loads(run("--as-of", "2013-08-13", "--json", "--family", "F006").stdout)
    assert [f["suggested"] for f in day_before] == [["crime_asb"]]
    on_the_day = json.loads(run("--as-of", "2013-08-14", "--json", "--family", "F006").stdout)
    assert [f["suggested"] for f in on_the_day] == [[]]


def test_suggestions_are_kept_and_replaced_each_time(run, clean):
    ids = _cohort(clean)
    assert run("--as-of", "2013-08-13").exit_code == 0
    assert run("--as-of", "2013-08-14").exit_code == 0
    with clean.app_context():
        kept = db.session.execute(
            db.select(IdentificationSuggestion.code, IdentificationSuggestion.as_of).where(
                IdentificationSuggestion.family_id == ids["F006"]
            )
        ).all()
        assert kept == []
        codes = db.session.scalars(
            db.select(IdentificationSuggestion.code).where(IdentificationSuggestion.family_id == ids["F001"])
        ).all()
        assert sorted(codes) == ["crime_asb", "work"]


def test_lines_for_people_say_no_evidence_yet(run, clean):
    _cohort(clean)
    result = run("--as-of", "2013-08-14")
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert sorted(lines) == ["F001", "F002", "F003", "F004", "F006"]
    assert "no evidence yet" in lines["F003"] and "no evidence yet" in lines["F004"]
    assert "nothing suggested" in lines["F006"]
    assert "crime_asb: asb 2013-02-11 (police E123)" in lines["F001"]


@pytest.mark.parametrize(
    "as_of, said",
    [
        ("2013-02-30", "'2013-02-30' does not match the format"),
        ("13/08/2013", "'13/08/2013' does not match the format"),
        ("0001-01-01", "Date 0001-01-01 is before 1 January 1900"),
    ],
)
def test_an_unusable_date_is_exit_2_and_changes_nothing(run, clean, as_of, said):
    _cohort(clean)
    result = run("--as-of", as_of, "--json")
    assert result.exit_code == 2
    assert "Invalid value for '--as-of'" in result.stderr and said in result.stderr
    assert result.stdout == ""
    with clean.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(IdentificationSuggestion)) == 0


def test_an_unknown_or_attached_family_is_exit_2(run, clean):
    _cohort(clean)
    unknown = run("--as-of", "2013-08-14", "--family", "F999")
    assert unknown.exit_code == 2
    assert "no family with the reference 'F999'" in unknown.stderr
    attached = run("--as-of", "2013-08-14", "--family", "F005")
    assert attached.exit_code == 2
    assert "F005 is attached" in attached.stderr


def test_a_family_that_cannot_be_worked_out_is_named_the_others_are_printed(run, clean):
    ids = _cohort(clean)
    Maker(clean).family("F007", programme="phase2")  # no outcome plan adopted
    result = run("--as-of", "2013-08-14", "--json")
    assert result.exit_code == 1
    assert [f["family_ref"] for f in json.loads(result.stdout)] == ["F001", "F002", "F003", "F004", "F006"]
    assert "F007: could not be worked out: no outcome plan of phase2 is in force on 2013-08-14" in result.stderr
    with clean.app_context():
        reasons = db.session.scalars(db.select(UndecidedFamily.family_ref).where(UndecidedFamily.job_id.is_not(None)))
        assert list(reasons) == ["F007"]
    assert ids


def test_a_phase_two_family_is_suggested_the_problems_of_the_plan_in_force(run, clean):
    from tff.outcomes.plan_versions.operations import store_shipped

    family = Maker(clean).family("F010", programme="phase2")
    with clean.app_context():
        store_shipped(None)
        child = _member(family.id, "P10C", date(2008, 5, 1))
        db.session.add(Event(member_id=child, kind="asb", date=date(2016, 1, 5), source="police", reference="E7"))
        db.session.add(Spell(member_id=child, kind="cin_plan", start_date=date(2015, 12, 1)))
        db.session.add(FamilyCriterion(family_id=family.id, kind="problem", code="health", source=CONFIRMED))
        db.session.commit()
    result = run("--as-of", "2016-03-01", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [
        {
            "family_ref": "F010",
            "programme": "phase2",
            "suggested": ["children_need_help", "crime_asb"],
            "confirmed": ["health"],
            "eligible": False,
            "eligible_if_confirmed": True,
            "evidence": {
                "children_need_help": ["cin_plan from 2015-12-01"],
                "crime_asb": ["asb 2016-01-05 (police E7)"],
            },
        }
    ]
