"""No results where there should be none, and attendance read as the contract reads it, through
the database, the command line, the pages and a claim (`outcome-plans.md`, "Readings that other
systems rely on"; `cli.md`):

- the attendance rate counts every absence: a Supporting Families child who attended 85% of
  sessions (10 authorised and 5 unauthorised absences in 100) fails "at least 90% in each of
  the last 3 terms" and the family is not claimed;
- a family attached after the as-of date has no results as of it: nothing printed or stored;
- a family no adopted plan measures has no results either: nothing printed or stored, not an
  error, and its pages say why."""

import csv
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.case_work import member, text
from tests.helpers import Maker, sign_in
from tests.test_outcomes_cli import _example_one
from tff.cases.models import FamilyCriterion
from tff.evidence.models import AttendanceRecord
from tff.extensions import db
from tff.outcomes.models import Evaluation, OutcomeDecision, UndecidedFamily
from tff.outcomes.plan_versions.operations import store_shipped

SF = "supporting_families"
#: attached after the shipped Supporting Families plan came into force (1 October 2022); the
#: case closed more than 6 months before the as-of date
ATTACHED, CLOSED, AS_OF = date(2023, 1, 9), date(2024, 1, 15), "2024-08-31"
#: as of 31 August 2024 the last three terms are autumn 2023, spring 2024 and summer 2024
TERMS = (("2023/24", "autumn"), ("2023/24", "spring"), ("2023/24", "summer"))


@pytest.fixture
def cli(clean):
    runner = clean.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


def _sf_family(app, reference: str, authorised: int, unauthorised: int) -> None:
    """A closed Supporting Families family, its needs good education, children safe and crime
    (the last two met with no evidence against them), its child's returns each term 100
    possible sessions with these absences."""
    family = Maker(app).family(
        reference, programme=SF, status="closed", attached_on=ATTACHED, closed_on=CLOSED, closure_reason="done"
    )
    child = member(app, family.id, "Casey", "Child", date(2012, 5, 1), relationship="child", ref=f"{reference}-C")
    with app.app_context():
        for code in ("good_education", "children_safe", "crime"):
            db.session.add(FamilyCriterion(family_id=family.id, kind="problem", code=code, source="imported"))
        for year, term in TERMS:
            db.session.add(
                AttendanceRecord(
                    member_id=child,
                    academic_year=year,
                    term=term,
                    possible=100,
                    authorised=authorised,
                    unauthorised=unauthorised,
                    school="",
                )
            )
        db.session.commit()


def _outcomes(cli, *args):
    result = cli("outcomes", "--as-of", *args)
    return result, (json.loads(result.stdout) if result.exit_code == 0 and "--json" in args else None)


def _stored(app, reference: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(OutcomeDecision.family_ref == reference))


def test_a_child_at_85_percent_fails_the_education_test_and_the_family_is_not_claimed(clean, cli, tmp_path):
    with clean.app_context():
        store_shipped(None)
    _sf_family(clean, "SF01", authorised=10, unauthorised=5)  # 85% attended (95% read as unauthorised only)
    _sf_family(clean, "SF02", authorised=5, unauthorised=3)  # 92% attended: the same family, meeting it
    result, decisions = _outcomes(cli, AS_OF, "--json")
    assert result.exit_code == 0, result.output
    by = {d["family_ref"]: d for d in decisions}
    assert set(by) == {"SF01", "SF02"}
    assert by["SF01"]["rule_set"] == "supporting-families-2022 v1"
    assert (by["SF01"]["met"], by["SF01"]["claimable"], by["SF01"]["amount"]) == (False, False, None)
    reasons = "\n".join(by["SF01"]["reasons"])
    assert "Autumn 2023 85% (100 possible, 10 authorised, 5 unauthorised absent)" in reasons
    assert "good_education (Getting a good education): fails" in reasons
    assert (by["SF02"]["met"], by["SF02"]["claimable"], by["SF02"]["amount"]) == (True, True, 800)
    assert "Summer 2024 92% (100 possible, 5 authorised, 3 unauthorised absent)" in "\n".join(by["SF02"]["reasons"])

    assert cli("claims", "window-create", "2024-08", "--as-of", AS_OF, "--sample-percent", "0").exit_code == 0
    assembled = cli("claims", "assemble", "2024-08")
    assert assembled.exit_code == 0, assembled.output
    out = tmp_path / "claim.csv"
    assert cli("claims", "export", "2024-08", "--out", str(out)).exit_code == 0
    with out.open(newline="") as handle:
        lines = [(row["family_ref"], row["amount"]) for row in csv.DictReader(handle)]
    assert lines == [("SF02", "800")]


def test_a_family_attached_after_the_as_of_date_has_no_results_as_of_it(clean, cli, client, make):
    _example_one(clean, "F001")
    worker = make.user("coordinator")
    later = make.family("F002", status="attached", attached_on=date(2013, 9, 1))
    result, decisions = _outcomes(cli, "2013-07-31", "--json")
    assert result.exit_code == 0, result.output
    assert {d["family_ref"] for d in decisions} == {"F001"}
    assert result.stderr == ""
    assert _stored(clean, "F002") == 0
    with clean.app_context():
        evaluation = db.session.scalars(select(Evaluation).order_by(Evaluation.id.desc())).first()
        assert evaluation.families == 1  # F002 is not counted among the families decided
        assert db.session.scalar(select(func.count()).select_from(UndecidedFamily)) == 0

    # Named alone: nothing on stdout, why on stderr, exit 1, nothing stored.
    alone = cli("outcomes", "--as-of", "2013-07-31", "--family", "F002", "--json")
    assert alone.exit_code == 1
    assert alone.stdout == ""
    assert (
        "Family F002 was attached on 1 September 2013, after the as-of date 31 July 2013: no results as of that date"
        in alone.stderr
    )
    assert _stored(clean, "F002") == 0
    # On the day of attachment it has results.
    on_the_day, decisions = _outcomes(cli, "2013-09-01", "--family", "F002", "--json")
    assert on_the_day.exit_code == 0 and {d["family_ref"] for d in decisions} == {"F002"}

    sign_in(client, worker.email)
    page = text(client.get(f"/families/{later.reference}/results?as_of=2013-07-31"))
    assert "Attached on 1 September 2013, after the as-of date 31 July 2013: no results as of that date." in page
    assert "Crime, anti-social behaviour and education" not in page


def test_a_family_no_plan_measures_is_not_printed_nor_stored_and_its_pages_say_why(clean, cli, client, make):
    _example_one(clean, "F001")
    make.family("SF09", programme=SF, status="attached", attached_on=date(2022, 11, 1))
    result, decisions = _outcomes(cli, "2023-07-31", "--json")
    assert result.exit_code == 0, result.output  # not an error: no results, and why
    assert result.stderr == ""
    assert {d["family_ref"] for d in decisions} == {"F001"}
    assert {d["rule_set"] for d in decisions} == {"phase1"}
    assert _stored(clean, "SF09") == 0
    with clean.app_context():
        evaluation_id = db.session.scalar(select(func.max(Evaluation.id)))
        assert db.session.scalar(select(func.count()).select_from(UndecidedFamily)) == 0

    text_mode = cli("outcomes", "--as-of", "2023-07-31")
    assert text_mode.exit_code == 0 and "SF09" not in text_mode.stdout and "no plan" not in text_mode.stdout

    alone = cli("outcomes", "--as-of", "2023-07-31", "--family", "SF09", "--json")
    assert alone.exit_code == 1 and alone.stdout == ""
    assert "Family SF09 has no results: no outcome plan of supporting_families is adopted" in alone.stderr

    coordinator = make.user("coordinator")
    sign_in(client, coordinator.email)
    page = text(client.get("/families/SF09/results?as_of=2023-07-31"))
    assert (
        "No results: no outcome plan of supporting_families is adopted: a manager adopts one at Outcome plans." in page
    )
    evaluation_page = text(client.get(f"/outcomes/{evaluation_id}"))
    assert "1 family decided" in evaluation_page
    assert "1 family measured by no outcome plan" in evaluation_page
    assert "SF09 No outcome plan of supporting_families is adopted" in evaluation_page
    assert "could not be decided" not in evaluation_page

    # A plan adopted from after its attachment date still does not measure it.
    with clean.app_context():
        from tff.outcomes.plan_versions.operations import adopt, store_shipped

        (phase2, sf) = sorted(store_shipped(None, adopt_them=False), key=lambda v: v.framework)
        adopt(sf, date(2022, 11, 2))
        db.session.commit()
    page = text(client.get("/families/SF09/results?as_of=2023-07-31"))
    assert "no outcome plan of supporting_families was in force on its attachment date (2022-11-01)" in page
    assert "Significant and sustained progress" not in page
    result, decisions = _outcomes(cli, "2023-07-31", "--json")
    assert result.exit_code == 0 and {d["family_ref"] for d in decisions} == {"F001"}
    assert _stored(clean, "SF09") == 0


def test_claim_assembly_claims_neither_kind(clean, cli):
    _example_one(clean, "F001")
    Maker(clean).family("F002", status="attached", attached_on=date(2013, 8, 1))
    Maker(clean).family("SF09", programme=SF, status="attached", attached_on=date(2013, 6, 1))
    assert cli("claims", "window-create", "2013-07", "--as-of", "2013-07-31", "--sample-percent", "0").exit_code == 0
    assembled = cli("claims", "assemble", "2013-07")
    assert assembled.exit_code == 0, assembled.output
    assert "1 lines, £700" in assembled.stdout
    assert "1 family measured by no outcome plan" in assembled.stdout
    assert _stored(clean, "F002") == 0 and _stored(clean, "SF09") == 0
