"""The synthetic cohort is valid input in the import formats, and the same for the same seed."""

import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tff.cases.models import Family
from tff.demo.cohort import (
    ATTENDANCE_COLUMNS,
    DEMO_AS_OF,
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
from tff.outcomes.plans import default_plans

#: when the families of each programme may be attached (phase two's funding ran April 2015 to
#: March 2020; Supporting Families from October 2022)
ATTACHED_BETWEEN = {
    "phase1": (date(2012, 4, 1), date(2014, 12, 31)),
    "phase2": (date(2015, 4, 1), date(2019, 12, 31)),
    "supporting_families": (date(2022, 10, 1), date(2024, 12, 31)),
}
SHIPPED = {plan.framework: {p.code for p in plan.problems} for plan in default_plans()}
PHASE2_CODES, SF_CODES = SHIPPED["phase2"], SHIPPED["supporting_families"]
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
            attached = date.fromisoformat(family["attached_on"])
            assert attached >= date.fromisoformat(family["identified_on"])
            assert ATTACHED_BETWEEN[family["programme"]][0] <= attached <= ATTACHED_BETWEEN[family["programme"]][1]
        problems = family["problems"].split(";") if family["problems"] else []
        if family["programme"] == "phase2":
            assert 2 <= len(problems) <= 3 and set(problems) <= PHASE2_CODES
        elif family["programme"] == "supporting_families":
            # the Supporting Families plan's codes, at least three needs
            assert 3 <= len(problems) <= 4 and set(problems) <= SF_CODES
        else:
            assert problems == []
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
        claimable, decided = {}, {}
        for as_of in DEMO_AS_OF.values():
            evaluation = evaluations.create(as_of)
            assert evaluations.start_evaluation(evaluation, queue=False).state == "succeeded"
            rows = db.session.execute(
                select(OutcomeDecision.rule_set, OutcomeDecision.claimable)
                .where(OutcomeDecision.evaluation_id == evaluation.id)
                .distinct()
            ).all()
            claimable[as_of] = {rule_set for rule_set, can in rows if can}
            decided[as_of] = {rule_set for rule_set, _can in rows}
    # The dates the README names: the end of phase two's and of Supporting Families' funding.
    assert {"phase2": date(2020, 3, 31), "supporting_families": date(2025, 3, 31)} == DEMO_AS_OF
    # As of each, some families of the programme are claimable under its shipped plan: phase
    # two's attached 2015 to 2019, Supporting Families' attached from October 2022 with their
    # cases closed and verified outcomes approved.
    assert "rotherham-2015 v1" in claimable[date(2020, 3, 31)]
    assert "supporting-families-2022 v1" in claimable[date(2025, 3, 31)]
    # Phase one's families, attached by 2014, have results as of the later dates too; no
    # Supporting Families family is attached by March 2020, so none has results then.
    assert "phase1" in decided[date(2020, 3, 31)]
    assert "supporting-families-2022 v1" not in decided[date(2020, 3, 31)]
