"""The problem codes a family may carry are the headline problems of the outcome plan version
that measures it (`outcome-plans.md`, "Readings that other systems rely on"): in families.csv,
on the family page and in the identification worklist. A code the plan does not have is
rejected with the plan's own list; a family no adopted plan measures is told why."""

from datetime import date

import pytest
import yaml
from sqlalchemy import select

from tests.case_work import error_summary, text
from tests.helpers import Maker, sign_in, submit
from tests.imports_support import families_csv, family, run_import
from tff.cases.models import Family, FamilyCriterion
from tff.extensions import db
from tff.identification.decisions import CriterionRefused, record_criteria
from tff.outcomes.plan_versions.models import OutcomePlanVersion
from tff.outcomes.plan_versions.operations import adopt, next_version_text, store, store_shipped
from tff.outcomes.plans import default_plans

SF = "supporting_families"
SF_PLAN = next(p for p in default_plans() if p.framework == SF)
#: the Supporting Families plan's codes, as its file lists them
SF_CODES = ", ".join(p.code for p in SF_PLAN.problems)
ROTHERHAM_CODES = "crime_asb, education, children_need_help, worklessness, domestic_abuse, health"


@pytest.fixture
def coordinator(clean):
    """A signed-in coordinator's client."""
    client = clean.test_client()
    sign_in(client, Maker(clean).user("coordinator").email)
    return client


@pytest.fixture
def plans(clean):
    with clean.app_context():
        store_shipped(None)


def _problems(app, ref: str) -> list[str]:
    with app.app_context():
        family_id = db.session.scalar(select(Family.id).where(Family.reference == ref))
        return sorted(
            db.session.scalars(
                select(FamilyCriterion.code).where(
                    FamilyCriterion.family_id == family_id, FamilyCriterion.kind == "problem"
                )
            )
        )


# --- families.csv ------------------------------------------------------------------------------


def test_a_supporting_families_family_carries_the_supporting_families_plans_codes(clean, plans):
    assert {"good_education", "crime", "domestic_abuse"} <= {p.code for p in SF_PLAN.problems}
    data = families_csv(
        family("S001", programme=SF, attached_on="2023-01-09", problems="good_education;crime;domestic_abuse"),
        # identified, not attached: measured by the plan in force today
        family("S002", programme=SF, identified_on="2023-02-01", problems="Housing; early_years ;health"),
    )
    result = run_import(clean, "families", data)
    assert (result.accepted, result.rejected) == (2, 0), result.rejections
    assert _problems(clean, "S001") == ["crime", "domestic_abuse", "good_education"]
    assert _problems(clean, "S002") == ["early_years", "health", "housing"]


def test_a_code_the_plan_does_not_have_is_rejected_with_the_plans_own_list(clean, plans):
    data = families_csv(
        family("S001", programme=SF, attached_on="2023-01-09", problems="good_education;crime"),
        family("S002", programme=SF, attached_on="2023-01-09", problems="good_education;crime_asb;crime"),
        family("S003", programme=SF, attached_on="2023-01-09", problems="children_need_help;worklessness"),
        family("P004", programme="phase2", attached_on="2015-06-01", problems="crime_asb;good_education"),
    )
    result = run_import(clean, "families", data)
    assert (result.accepted, result.rejected) == (1, 3)
    assert result.rejections[3] == [
        f'problems has an unknown code "crime_asb" (the supporting-families-2022 v1 plan\'s codes are {SF_CODES})'
    ]
    assert result.rejections[4] == [
        'problems has unknown codes "children_need_help", "worklessness" '
        f"(the supporting-families-2022 v1 plan's codes are {SF_CODES})"
    ]
    assert result.rejections[5] == [
        f'problems has an unknown code "good_education" (the rotherham-2015 v1 plan\'s codes are {ROTHERHAM_CODES})'
    ]
    with clean.app_context():
        assert set(db.session.scalars(select(Family.reference))) == {"S001"}


def test_with_no_plan_adopted_the_rejection_says_so(clean):
    data = families_csv(
        family("S001", programme=SF, attached_on="2023-01-09", problems="good_education;crime;housing"),
        family("S002", programme=SF, attached_on="2023-01-09"),
    )
    result = run_import(clean, "families", data)
    assert (result.accepted, result.rejected) == (1, 1)
    assert result.rejections[2] == [
        "problems are the headline problems of the family's outcome plan, and no outcome plan of "
        "supporting_families is adopted: a manager adopts one at Outcome plans"
    ]


def test_the_plan_in_force_on_the_attachment_date_decides_on_the_day_and_not_a_day_short(clean, plans):
    data = families_csv(
        family("P001", programme="phase2", attached_on="2015-04-01", problems="crime_asb;health"),
        family("P002", programme="phase2", attached_on="2015-03-31", problems="crime_asb;health"),
        family("P003", programme="phase2", attached_on="2015-03-31", problems="crime_asb;health", outcome_plan="nope"),
    )
    result = run_import(clean, "families", data)
    assert (result.accepted, result.rejected) == (1, 2)
    assert result.rejections[3] == [
        "problems are the headline problems of the family's outcome plan, and no outcome plan of phase2 was in "
        "force on its attachment date (2015-03-31): a manager adopts one at Outcome plans"
    ]
    assert result.rejections[4] == [
        "problems are the headline problems of the family's outcome plan, and its outcome_plan 'nope' is not an "
        "adopted outcome plan of phase2: a manager adopts plans at Outcome plans"
    ]


def test_a_problem_added_in_a_new_version_is_carried_by_families_attached_once_it_is_in_force(clean, plans):
    with clean.app_context():
        v1 = db.session.scalar(select(OutcomePlanVersion).where(OutcomePlanVersion.name == "rotherham-2015"))
        edited = yaml.safe_load(next_version_text(v1))
        edited["problems"].append(
            {
                "code": "young_carers",
                "title": "Young carers supported",
                "test": {"measure": "verified", "outcome": "young_carer_assessed"},
            }
        )
        v2 = store(yaml.safe_dump(edited, sort_keys=False), "yaml", None)
        adopt(v2, date(2017, 4, 1))
    data = families_csv(
        family("P001", programme="phase2", attached_on="2017-04-01", problems="crime_asb;young_carers"),
        family("P002", programme="phase2", attached_on="2017-03-31", problems="crime_asb;young_carers"),
        family(
            "P003",
            programme="phase2",
            attached_on="2017-06-01",
            problems="crime_asb;young_carers",
            outcome_plan="rotherham-2015 v1",
        ),
        family("P004", programme="phase2", identified_on="2017-05-01", problems="young_carers;health"),
    )
    result = run_import(clean, "families", data)
    assert (result.accepted, result.rejected) == (2, 2), result.rejections
    v1_list = f"(the rotherham-2015 v1 plan's codes are {ROTHERHAM_CODES})"
    assert result.rejections[3] == [f'problems has an unknown code "young_carers" {v1_list}']
    assert result.rejections[4] == [f'problems has an unknown code "young_carers" {v1_list}']
    assert _problems(clean, "P001") == ["crime_asb", "young_carers"]
    assert _problems(clean, "P004") == ["health", "young_carers"]


def test_an_update_is_checked_against_the_plan_of_the_family_as_it_will_be(clean, plans):
    assert run_import(clean, "families", families_csv(family("S001", programme=SF, attached_on="2023-01-09"))).accepted
    # a later extract gives the problems only: the family's own programme and date decide the plan
    again = run_import(clean, "families", families_csv(family("S001", programme=SF, problems="housing;crime_asb")))
    assert again.rejections[2] == [
        f'problems has an unknown code "crime_asb" (the supporting-families-2022 v1 plan\'s codes are {SF_CODES})'
    ]


# --- the family page and the worklist ----------------------------------------------------------


def test_the_family_page_offers_the_supporting_families_plans_problems(clean, plans, make, coordinator):
    made = make.family(
        "S001", programme=SF, status="attached", identified_on=date(2023, 1, 2), attached_on=date(2023, 1, 9)
    )
    page = coordinator.get("/families/S001/criteria/record")
    assert page.status_code == 200
    body = text(page)
    for problem in SF_PLAN.problems:
        assert problem.title in body
        assert f'value="problem:{problem.code}"' in page.get_data(as_text=True)
    assert "Children who need help" not in body  # phase two's, not this plan's
    assert "supporting-families-2022 v1" in body

    chosen = {"criteria": [f"problem:{code}" for code in ("good_education", "crime", "housing")], "note": "The TAF"}
    response = submit(coordinator, "/families/S001/criteria/record", chosen)
    assert response.status_code == 302
    assert _problems(clean, "S001") == ["crime", "good_education", "housing"]
    family_page = text(coordinator.get("/families/S001"))
    titles = {p.code: p.title for p in SF_PLAN.problems}
    for code in ("good_education", "crime", "housing"):
        assert titles[code] in family_page

    refused = submit(
        coordinator, "/families/S001/criteria/record", {"criteria": ["problem:crime_asb"], "note": "The TAF"}
    )
    assert refused.status_code == 200 and error_summary(refused)
    assert _problems(clean, "S001") == ["crime", "good_education", "housing"]
    with clean.app_context():
        from tff.auth.models import User

        by = db.session.scalar(select(User).where(User.role == "coordinator"))
        with pytest.raises(CriterionRefused) as wrong:
            record_criteria(db.session.get(Family, made.id), [("problem", "crime_asb")], "The TAF", by)
        assert wrong.value.problems["criteria"] == (
            "Not a headline problem of this family's outcome plan: crime_asb "
            f"(the supporting-families-2022 v1 plan's codes are {SF_CODES})"
        )
    assert _problems(clean, "S001") == ["crime", "good_education", "housing"]


def test_a_family_no_plan_measures_is_told_why_its_problems_cannot_be_recorded(clean, make, coordinator):
    make.family("S001", programme=SF, status="attached", attached_on=date(2023, 1, 9))
    why = (
        "Headline problems cannot be recorded for this family: no outcome plan of supporting_families is "
        "adopted: a manager adopts one at Outcome plans"
    )
    for page in (coordinator.get("/families/S001/criteria/record"), coordinator.get("/families/S001")):
        assert page.status_code == 200
        assert why in text(page)


def test_the_worklist_titles_problems_as_the_familys_plan_does(clean, plans, coordinator):
    result = run_import(
        clean,
        "families",
        families_csv(family("S001", programme=SF, identified_on="2023-02-01", problems="crime;housing;good_education")),
    )
    assert result.accepted == 1
    worklist = text(coordinator.get("/identification/"))
    assert "S001" in worklist
    titles = {p.code: p.title for p in SF_PLAN.problems}
    for code in ("crime", "housing", "good_education"):
        assert titles[code] in worklist
