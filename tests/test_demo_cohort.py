"""The synthetic cohort is valid input in the import formats, and the same for the same seed."""

import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tff.cases.models import Family
from tff.demo.cohort import (
    ATTENDANCE_COLUMNS,
    EVENT_COLUMNS,
    FAMILY_COLUMNS,
    MEMBER_COLUMNS,
    SPELL_COLUMNS,
    make_cohort,
)
from tff.extensions import db
from tff.outcomes import evaluation as evaluations
from tff.outcomes.models import OutcomeDecision
from tff.outcomes.plan_versions.models import OutcomePlanVersion

UPN = re.compile(r"^[A-Z]\d{12}$")
NINO = re.compile(r"^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$")


def test_the_same_seed_makes_the_same_cohort():
    assert make_cohort(20, seed=7) == make_cohort(20, seed=7)
    assert make_cohort(20, seed=7) != make_cohort(20, seed=8)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), count=st.integers(1, 30))
def test_every_row_is_valid_in_its_format(seed, count):
    cohort = make_cohort(count, seed=seed, lead_worker_emails=["lw@example.org"])
    for rows, columns in [
        (cohort.families, FAMILY_COLUMNS),
        (cohort.members, MEMBER_COLUMNS),
        (cohort.attendance, ATTENDANCE_COLUMNS),
        (cohort.events, EVENT_COLUMNS),
        (cohort.spells, SPELL_COLUMNS),
    ]:
        for row in rows:
            assert list(row) == columns
    refs = [f["family_ref"] for f in cohort.families]
    assert len(set(refs)) == count
    people = {m["person_ref"]: m for m in cohort.members}
    assert len(people) == len(cohort.members)
    upns = [m["upn"] for m in cohort.members if m["upn"]]
    ninos = [m["nino"] for m in cohort.members if m["nino"]]
    assert len(set(upns)) == len(upns) and all(UPN.match(u) for u in upns)
    assert len(set(ninos)) == len(ninos) and all(NINO.match(n) for n in ninos)
    for family in cohort.families:
        assert family["programme"] in {"phase1", "phase2", "supporting_families"}
        if family["attached_on"]:
            assert date.fromisoformat(family["attached_on"]) >= date.fromisoformat(family["identified_on"])
    for row in cohort.attendance:
        assert row["person_ref"] in people
        assert row["term"] in {"autumn", "spring", "summer"}
        assert (
            0 <= row["authorised_absence_sessions"] + row["unauthorised_absence_sessions"] <= row["possible_sessions"]
        )
        assert re.match(r"^\d{4}/\d{2}$", row["academic_year"])
    for row in cohort.events:
        assert row["person_ref"] in people
        date.fromisoformat(row["date"])
    for row in cohort.spells:
        assert row["person_ref"] in people
        if row["end_date"]:
            assert row["end_date"] >= row["start_date"]
        if row["kind"] == "benefit":
            assert row["detail"]


def test_the_cohort_has_what_the_results_depend_on():
    cohort = make_cohort(200, seed=1)
    kinds = {e["kind"] for e in cohort.events} | {s["kind"] for s in cohort.spells}
    assert {"asb", "offence", "fixed_exclusion", "benefit", "employment"} <= kinds
    assert sum(1 for f in cohort.families if f["attached_on"]) > 100


def test_demo_setup_makes_accounts_plans_and_a_cohort_that_gets_results(clean):
    runner = clean.test_cli_runner()
    first = runner.invoke(args=["demo", "setup", "--families", "40"])
    assert first.exit_code == 0, first.output
    assert "Stored and adopted the outcome plan rotherham-2015 v1" in first.output
    assert "coordinator@example.org" in first.output
    again = runner.invoke(args=["demo", "setup", "--families", "40"])
    assert again.exit_code == 0 and "Stored and adopted" not in again.output
    with clean.app_context():
        assert db.session.scalar(select(func.count()).select_from(Family)) == 40
        plans = db.session.execute(select(OutcomePlanVersion.name, OutcomePlanVersion.in_force_from)).all()
        assert sorted(plans) == [
            ("rotherham-2015", date(2015, 4, 1)),
            ("supporting-families-2022", date(2022, 10, 1)),
        ]
        evaluation = evaluations.create(date(2016, 3, 31))
        assert evaluations.start_evaluation(evaluation, queue=False).state == "succeeded"
        rule_sets = set(
            db.session.scalars(
                select(OutcomeDecision.rule_set).where(OutcomeDecision.evaluation_id == evaluation.id).distinct()
            )
        )
    assert "phase1" in rule_sets and "rotherham-2015 v1" in rule_sets
