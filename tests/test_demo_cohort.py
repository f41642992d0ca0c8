"""The synthetic cohort is valid input in the import formats, and the same for the same seed."""

import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tff.auth.models import User
from tff.cases import operations as case_operations
from tff.cases.models import Family, Member
from tff.demo.cohort import (
    ATTENDANCE_COLUMNS,
    DEMO_AS_OF,
    EVENT_COLUMNS,
    FAMILY_COLUMNS,
    IDENTIFY_AS_OF,
    MEMBER_COLUMNS,
    SHOWCASE,
    SPELL_COLUMNS,
    CohortMaker,
    make_cohort,
)
from tff.evidence.kinds import OUT_OF_WORK_BENEFITS
from tff.evidence.models import Event, Spell
from tff.extensions import db
from tff.identification import job as identification
from tff.identification.engine import Settings, eligible, suggest
from tff.identification.models import IdentificationSuggestion
from tff.jobs.models import Job
from tff.outcomes import evaluation as evaluations
from tff.outcomes.facts import AttendanceFact, EventFact, FamilyFacts, MemberFacts, SpellFact
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
        # the seed council's phase one commitment: its fees as the government paid them
        from tff.funding.drawdown import funding

        years = {(row.programme, row.year): row for row in funding().years}
        first, second = years["phase1", "2012/13"], years["phase1", "2013/14"]
        assert (first.fees_due, second.fees_due) == (649_600, 732_000)
        # and received, as its finance report says, once however often the demo is set up
        assert (first.fees_received, second.fees_received) == (649_600, 732_000)
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


# --- identification on the first day ------------------------------------------------------------

EVENT_LINE = re.compile(r"^(?P<kind>[a-z_]+) (?P<day>\d{4}-\d{2}-\d{2}) \((?P<source>[a-z_]+) (?P<reference>E\d+)\)$")
SPELL_LINE = re.compile(r"^(?P<what>[A-Za-z_]+) from (?P<start>\d{4}-\d{2}-\d{2})(?: to (?P<end>\d{4}-\d{2}-\d{2}))?$")


def test_the_demo_is_the_cohort_of_the_seed_with_identified_families_to_confirm():
    demo = list(CohortMaker(3, ["lw@example.org"]).demo(40))
    assert demo == list(CohortMaker(3, ["lw@example.org"]).demo(40))
    made = make_cohort(40, seed=3, lead_worker_emails=["lw@example.org"]).families
    shown = [mine[0] for mine, theirs in zip(demo, made, strict=True) if mine[0] != theirs]
    # The showcase takes the places of the first families left identified or of phase one;
    # phase two's and Supporting Families' attached families, whose results the demo shows, stay.
    for mine, theirs in zip(demo, made, strict=True):
        if theirs["attached_on"] and theirs["programme"] != "phase1":
            assert mine[0] == theirs
    assert [f["programme"] for f in shown] == [programme for programme, _ in SHOWCASE]
    for family in shown:
        assert family["attached_on"] == "" and family["local_criteria"] == "" and family["problems"] == ""
        assert date.fromisoformat(family["identified_on"]) <= IDENTIFY_AS_OF[family["programme"]]
    bare = [parts for parts in demo if parts[0] == shown[SHOWCASE.index(("phase1", ()))]]
    assert bare[0][1] and not any(bare[0][2:])
    # Its evidence is the cohort's own: references never repeat.
    references = [row["reference"] for parts in demo for rows in parts[3:] for row in rows]
    assert len(set(references)) == len(references)


#: what each kind of showcase evidence makes the engine suggest, by programme
SUGGESTS = {
    "phase1": {
        "asb": "crime_asb",
        "offence": "crime_asb",
        "absence": "education",
        "fixed_exclusions": "education",
        "permanent_exclusion": "education",
        "benefit": "work",
        "domestic_abuse": "domestic_abuse",
    },
    "phase2": {"asb": "crime_asb", "benefit": "worklessness", "care_plan": "children_need_help"},
    "supporting_families": {
        "offence": "crime",
        "absence": "good_education",
        "benefit": "financial_stability",
        "care_plan": "children_safe",
        "domestic_abuse": "domestic_abuse",
    },
}


def _facts(parts) -> FamilyFacts:
    family, members, attendance, events, spells = parts
    ids = {m["person_ref"]: n for n, m in enumerate(members, start=1)}
    day = date.fromisoformat
    return FamilyFacts(
        1,
        family["family_ref"],
        family["programme"],
        None,
        tuple(
            MemberFacts(ids[m["person_ref"]], m["person_ref"], m["first_name"], day(m["date_of_birth"]))
            for m in members
        ),
        tuple(
            AttendanceFact(
                ids[a["person_ref"]],
                a["academic_year"],
                a["term"],
                a["possible_sessions"],
                a["unauthorised_absence_sessions"],
                a["authorised_absence_sessions"],
            )
            for a in attendance
        ),
        tuple(EventFact(ids[e["person_ref"]], e["kind"], day(e["date"]), e["source"], e["reference"]) for e in events),
        tuple(
            SpellFact(
                ids[s["person_ref"]],
                s["kind"],
                s["detail"],
                day(s["start_date"]),
                day(s["end_date"]) if s["end_date"] else None,
            )
            for s in spells
        ),
    )


@pytest.mark.parametrize("seed", [1, 2, 7, 2024])
def test_for_any_seed_each_showcase_familys_evidence_meets_what_it_is_made_to(seed):
    plans = {plan.framework: plan for plan in default_plans()}
    rules = Settings(out_of_work_benefits=OUT_OF_WORK_BENEFITS)
    demo = CohortMaker(seed, ["lw@example.org"]).demo(60)
    made = make_cohort(60, seed=seed, lead_worker_emails=["lw@example.org"]).families
    shown = [mine for mine, theirs in zip(demo, made, strict=True) if mine[0] != theirs]
    assert len(shown) == len(SHOWCASE)
    for n, ((programme, shows), parts) in enumerate(zip(SHOWCASE, shown, strict=True)):
        day = IDENTIFY_AS_OF[programme]
        found = suggest(_facts(parts), day, rules, plans.get(programme))
        assert {s.code for s in found} == {SUGGESTS[programme][what] for what in shows}, (n, parts[0])
        assert eligible(programme, [(s.kind, s.code) for s in found]) == bool(shows)


def _evidence_is_real(family: Family, lines: list[str]) -> None:
    """Each evidence line of an event or a spell names one of the family's members' own."""
    members = select(Member.id).where(Member.family_id == family.id)
    for line in lines:
        if found := EVENT_LINE.match(line):
            event = db.session.scalar(
                select(Event).where(Event.reference == found["reference"], Event.member_id.in_(members))
            )
            assert event is not None, line
            assert (event.kind, event.date.isoformat(), event.source) == (
                found["kind"],
                found["day"],
                found["source"],
            )
        elif found := SPELL_LINE.match(line):
            spells = db.session.scalars(
                select(Spell).where(
                    Spell.member_id.in_(members), Spell.start_date == date.fromisoformat(found["start"])
                )
            ).all()
            assert any(found["what"] in (s.kind, (s.detail or "").upper()) for s in spells), line
        else:
            assert line.startswith("absence ") and "% over " in line, line


def test_after_the_demo_load_a_coordinator_has_suggestions_of_each_programme_to_confirm(clean):
    result = clean.test_cli_runner().invoke(args=["demo", "setup", "--families", "40"])
    assert result.exit_code == 0, result.output
    assert "criteria for the identified families" in result.output
    with clean.app_context():
        job_id = db.session.scalar(select(Job.id).where(Job.kind == "demo.load"))
        assert identification.left_out(job_id) == []
        worked = {f.family_ref: f for f in identification.identified(job_id)}
        families = {
            f.reference: f for f in db.session.scalars(select(Family).where(Family.reference.in_(list(worked))))
        }
        suggested = {
            programme: [f for f in worked.values() if f.programme == programme and f.suggested]
            for programme in IDENTIFY_AS_OF
        }
        # Families of every programme have suggestions, worked out as of their programme's date.
        for programme, day in IDENTIFY_AS_OF.items():
            assert suggested[programme], programme
            ids = [families[f.family_ref].id for f in suggested[programme]]
            days = set(
                db.session.scalars(
                    select(IdentificationSuggestion.as_of).where(IdentificationSuggestion.family_id.in_(ids))
                )
            )
            assert days == {day}
        # Nothing is confirmed yet: confirming the suggestions would make them eligible.
        all_three = [f for f in suggested["phase1"] if {"crime_asb", "education", "work"} <= set(f.suggested)]
        assert all_three and all(f.eligible_if_confirmed and not f.eligible for f in all_three)
        with_abuse = [
            f
            for f in suggested["phase1"]
            if f.suggested.get("domestic_abuse", ("",))[0] == "local"
            and len({"crime_asb", "education", "work"} & set(f.suggested)) == 2
        ]
        assert with_abuse and all(f.eligible_if_confirmed for f in with_abuse)
        for programme, fewest in (("phase2", 2), ("supporting_families", 3)):
            ready = [f for f in suggested[programme] if len(f.suggested) >= fewest and not f.confirmed]
            assert ready and all(f.eligible_if_confirmed and not f.eligible for f in ready), programme
            assert all(kind == "problem" for f in ready for kind, _ in f.suggested.values())
        # What each suggestion says it rests on is the family's own evidence.
        for family in [all_three[0], with_abuse[0], *suggested["phase2"], *suggested["supporting_families"]]:
            for _kind, lines in family.suggested.values():
                assert lines
                _evidence_is_real(families[family.family_ref], lines)
        # The family with no evidence has nothing suggested, and attaching it is refused.
        bare = [f for f in worked.values() if not f.has_evidence and not f.confirmed]
        assert bare and all(not f.suggested and not f.eligible_if_confirmed for f in bare)
        family = db.session.scalar(select(Family).where(Family.reference == bare[-1].family_ref))
        coordinator = db.session.scalar(select(User).where(User.role == "coordinator"))
        with pytest.raises(case_operations.CaseError) as refusal:
            case_operations.attach(family, IDENTIFY_AS_OF[family.programme], coordinator)
        assert "not eligible" in refusal.value.problems["override_reason"]
        db.session.rollback()
        assert db.session.get(Family, family.id).status == "identified"
