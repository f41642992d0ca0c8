"""The family list's criterion filter offers the headline problems of every adopted outcome
plan, grouped by programme and naming the plans, so that Supporting Families families can be
found by their needs as phase two families by their problems."""

import re
from datetime import date

import pytest

from tests.helpers import sign_in
from tff.cases.models import FamilyCriterion
from tff.extensions import db
from tff.outcomes.plan_versions.operations import store_shipped

SF = "supporting_families"


@pytest.fixture
def families(make, app):
    with app.app_context():
        store_shipped(None)
    made = {
        "P201": dict(programme="phase2", attached_on=date(2015, 6, 1), problems=["health", "education"]),
        "P202": dict(programme="phase2", attached_on=date(2016, 6, 1), problems=["crime_asb", "worklessness"]),
        "S301": dict(programme=SF, attached_on=date(2022, 11, 1), problems=["health", "housing", "early_years"]),
        "S302": dict(programme=SF, attached_on=date(2023, 1, 9), problems=["good_education", "crime", "housing"]),
    }
    with app.app_context():
        for reference, values in made.items():
            problems = values.pop("problems")
            family = make.family(reference, status="attached", **values)
            for code in problems:
                db.session.add(FamilyCriterion(family_id=family.id, kind="problem", code=code, source="imported"))
        db.session.commit()


def _found(client, query: str) -> set[str]:
    page = client.get(f"/families/?{query}").get_data(as_text=True)
    return set(re.findall(r">([PS]\d{3})</a>", page))


def _groups(page: str) -> dict[str, list[tuple[str, str]]]:
    select = page[page.index('<select class="govuk-select" id="criterion"') :]
    select = select[: select.index("</select>")]
    groups = {}
    for label, body in re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', select, re.S):
        groups[label] = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', body)
    return groups


def test_the_filter_offers_each_adopted_plans_problems_titled_by_the_plan(client, make, families):
    sign_in(client, make.user("coordinator").email)
    groups = _groups(client.get("/families/").get_data(as_text=True))
    assert list(groups) == [
        "National (phase one)",
        "Headline problems, Phase two (2015): rotherham-2015 v1",
        "Headline problems, Supporting Families (2022): supporting-families-2022 v1",
        "Local",
    ]
    sf = groups["Headline problems, Supporting Families (2022): supporting-families-2022 v1"]
    assert len(sf) == 10
    assert sf[0] == ("problem:supporting_families.good_education", "Getting a good education")
    assert ("problem:supporting_families.housing", "Secure housing") in sf
    phase2 = groups["Headline problems, Phase two (2015): rotherham-2015 v1"]
    assert [value for value, _title in phase2] == [
        f"problem:phase2.{code}"
        for code in ("crime_asb", "education", "children_need_help", "worklessness", "domestic_abuse", "health")
    ]


@pytest.mark.parametrize(
    ("criterion", "expected"),
    [
        ("problem:supporting_families.housing", {"S301", "S302"}),
        ("problem:supporting_families.good_education", {"S302"}),
        # a code both plans have finds only the families of the programme chosen
        ("problem:supporting_families.health", {"S301"}),
        ("problem:phase2.health", {"P201"}),
        ("problem:phase2.worklessness", {"P202"}),
        # an address from before the filter named programmes: every family with the problem
        ("problem:health", {"P201", "S301"}),
    ],
)
def test_families_are_found_by_a_problem_of_their_plan(client, make, families, criterion, expected):
    sign_in(client, make.user("coordinator").email)
    assert _found(client, f"criterion={criterion}") == expected


def test_the_chosen_problem_stays_selected(client, make, families):
    sign_in(client, make.user("coordinator").email)
    page = client.get("/families/?criterion=problem:supporting_families.crime").get_data(as_text=True)
    assert '<option value="problem:supporting_families.crime" selected>' in page
    assert "<strong>1</strong> family" in page and ">S302</a>" in page


@pytest.mark.parametrize(
    "criterion",
    [
        "problem:phase2.housing",  # not a problem of the phase two plan
        "problem:phase1.health",  # phase one has no plan
        "problem:supporting_families.nonsense",
        "problem:housing",  # a Supporting Families code, never in an address without its programme
    ],
)
def test_a_problem_no_adopted_plan_has_is_ignored(client, make, families, criterion):
    sign_in(client, make.user("coordinator").email)
    page = client.get(f"/families/?criterion={criterion}").get_data(as_text=True)
    assert "<strong>4</strong> families" in page
    assert " selected>" not in page.split('id="criterion"')[1].split("</select>")[0]


def test_without_an_adopted_plan_no_headline_problems_are_offered(client, make):
    make.family("P201", programme="phase2", status="attached", attached_on=date(2015, 6, 1))
    sign_in(client, make.user("coordinator").email)
    groups = _groups(client.get("/families/").get_data(as_text=True))
    assert list(groups) == ["National (phase one)", "Local"]
