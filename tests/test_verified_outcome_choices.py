"""A practitioner-verified outcome is chosen from the outcomes the family's outcome plan names,
with their titles, never typed (`outcome-plans.md`): the form offers exactly those, a code the
plan does not name is refused (by the operation, whatever the form sent) and nothing is stored,
a family no plan measures is told why, and an approved outcome of the plan is what its test
reads: the Rotherham plan's `health` problem is met once `engaged_with_health_service` is
approved, and not before."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.case_work import audit_entries, count, day, error_summary, sign_in_as, text
from tests.helpers import sign_in, submit
from tff.cases.models import Family, FamilyCriterion
from tff.cases.operations import CaseError
from tff.extensions import db
from tff.outcomes.plan_versions.operations import store_shipped
from tff.outcomes.plans import default_plans
from tff.outcomes.plans.document import plan_as_data
from tff.outcomes.verified import operations
from tff.outcomes.verified.models import VerifiedOutcome

HEALTH = "engaged_with_health_service"
HEALTH_TITLE = "Parents and children with a range of health problems: engaged with health service"
ACHIEVED = date(2016, 1, 15)
SSP = "significant_sustained_progress"


def _named_in_tests(node) -> list[str]:
    """The outcomes a plan's test tree names, read from the plan as a file holds it."""
    if isinstance(node, dict):
        own = [node["outcome"]] if node.get("measure") == "verified" else []
        return own + [code for value in node.values() for code in _named_in_tests(value)]
    if isinstance(node, list):
        return [code for item in node for code in _named_in_tests(item)]
    return []


def _plan_outcomes(name: str) -> set[str]:
    [plan] = [p for p in default_plans() if p.name == name]
    return {code for problem in plan_as_data(plan)["problems"] for code in _named_in_tests(problem["test"])}


def _offered(response) -> list[str]:
    """The values of the form's outcome radios."""
    return re.findall(r'<input[^>]*name="code"[^>]*value="([^"]*)"', response.get_data(as_text=True))


def _new(reference: str) -> str:
    return f"/families/{reference}/verified-outcomes/new"


def _valid(code: str, **overrides) -> dict:
    return {
        "code": code,
        "member": "",
        **day("achieved_on", ACHIEVED),
        "evidence_note": "Letter from the GP practice: attended 3 of 3 appointments since October.",
        **overrides,
    }


@pytest.fixture
def plans(clean):
    with clean.app_context():
        store_shipped(None)


@pytest.fixture
def worker(client, make, plans):
    """A lead worker with a phase two family (measured by rotherham-2015) and a Supporting
    Families family (measured by supporting-families-2022), both attached."""
    user = make.user("lead_worker", name="Lena Worker")
    user.phase2 = make.family(
        "P2", programme="phase2", lead_worker_id=user.id, status="attached", attached_on=date(2015, 6, 1)
    )
    user.sf = make.family(
        "SF", programme="supporting_families", lead_worker_id=user.id, status="attached", attached_on=date(2023, 1, 9)
    )
    sign_in(client, user.email)
    return user


def test_the_form_offers_exactly_the_outcomes_of_the_familys_plan_with_their_titles(client, worker):
    rotherham = client.get(_new("P2"))
    assert _offered(rotherham) == [HEALTH]
    assert HEALTH_TITLE in text(rotherham)
    # no box to type a code or a title into
    assert 'name="title"' not in rotherham.get_data(as_text=True)
    assert 'type="text" name="code"' not in rotherham.get_data(as_text=True)

    supporting = client.get(_new("SF"))
    offered = _offered(supporting)
    assert len(offered) == len(set(offered))
    assert set(offered) == _plan_outcomes("supporting-families-2022")
    assert "mental_health_engagement" not in offered


def test_a_code_the_plan_does_not_name_is_refused_and_nothing_is_stored(client, app, worker):
    # The form's old example code (in neither plan), and a Supporting Families outcome posted
    # for a family the Rotherham plan measures.
    sf_only = sorted(_plan_outcomes("supporting-families-2022") - {HEALTH})[0]
    for reference, code, plan in (
        ("P2", "mental_health_engagement", "rotherham-2015 v1"),
        ("SF", "mental_health_engagement", "supporting-families-2022 v1"),
        ("P2", sf_only, "rotherham-2015 v1"),
    ):
        response = submit(client, _new(reference), _valid(code))
        assert response.status_code == 200
        assert (
            f'"{code}" is not an outcome of the family\'s outcome plan {plan}: choose one of the outcomes listed'
            in error_summary(response)
        )
    response = submit(client, _new("P2"), _valid(""))
    assert "Choose the outcome the family achieved" in error_summary(response)
    assert count(app, VerifiedOutcome) == 0
    assert audit_entries(app, "verified_outcome.record") == []


def test_the_operation_refuses_a_code_whatever_the_form_sent(app, worker):
    from tff.auth.models import User

    with app.app_context():
        family = db.session.get(Family, worker.phase2.id)
        by = db.session.get(User, worker.id)
        with pytest.raises(CaseError) as refused:
            operations.record(family, by, "mental_health_engagement", "Seen.", ACHIEVED)
        assert "is not an outcome of the family's outcome plan rotherham-2015 v1" in refused.value.problems["code"]
        outcome = operations.record(family, by, HEALTH, "Seen.", ACHIEVED)
        assert (outcome.code, outcome.title) == (HEALTH, HEALTH_TITLE)
    assert count(app, VerifiedOutcome) == 1


def test_a_family_no_plan_measures_is_told_why_nothing_can_be_recorded(client, app, make, worker):
    phase1 = make.family("P1", lead_worker_id=worker.id, status="attached", attached_on=date(2013, 1, 10))
    early = make.family(
        "EARLY", programme="phase2", lead_worker_id=worker.id, status="attached", attached_on=date(2015, 3, 31)
    )
    for family, why in (
        (phase1, "phase one families are measured by the national rules, not an outcome plan"),
        (early, "no outcome plan of phase2 was in force on its attachment date (2015-03-31)"),
    ):
        index = text(client.get(f"/families/{family.reference}/verified-outcomes"))
        assert f"Verified outcomes cannot be recorded for this family: {why}" in index
        assert "Record a verified outcome" not in index.replace("Verified outcomes cannot be recorded", "")
        page = client.get(_new(family.reference))
        assert page.status_code == 200 and why in text(page)
        assert _offered(page) == []
        posted = client.post(_new(family.reference), data=_valid(HEALTH))
        assert posted.status_code in (200, 400)
    assert count(app, VerifiedOutcome) == 0


def test_the_approval_page_shows_the_outcomes_title(client, make, worker):
    assert submit(client, _new("P2"), _valid(HEALTH)).status_code == 302
    sign_in_as(client, make.user("manager"))
    assert HEALTH_TITLE in text(client.get("/verified-outcomes"))
    with client.application.app_context():
        outcome_id = db.session.scalar(select(VerifiedOutcome.id))
    page = text(client.get(f"/families/P2/verified-outcomes/{outcome_id}/approve"))
    assert HEALTH_TITLE in page


def _ssp_card(client, as_of: str) -> str:
    page = client.get(f"/families/P2/results?as_of={as_of}").get_data(as_text=True)
    start = page.index(f'id="result-{SSP}"')
    end = page.find('id="result-', start + 1)
    return page[start : end if end > 0 else len(page)]


def test_an_approved_outcome_of_the_plan_makes_its_problem_met(client, app, make, worker):
    with app.app_context():
        for code in ("health", "domestic_abuse"):  # no domestic abuse incident: that one passes
            db.session.add(FamilyCriterion(family_id=worker.phase2.id, kind="problem", code=code, source="imported"))
        db.session.commit()
    before = _ssp_card(client, "2016-06-30")
    assert "Not met" in before

    assert submit(client, _new("P2"), _valid(HEALTH)).status_code == 302
    assert "Not met" in _ssp_card(client, "2016-06-30")  # recorded, not yet approved

    manager = make.user("manager")
    sign_in_as(client, manager)
    with app.app_context():
        outcome_id = db.session.scalar(select(VerifiedOutcome.id))
    approved = submit(client, f"/families/P2/verified-outcomes/{outcome_id}/approve", {"note": "Checked."})
    assert approved.status_code == 302
    after = _ssp_card(client, "2016-06-30")
    assert "Not met" not in after and ">Met<" in after.replace("\n", "").replace(" ", "")
    assert HEALTH in after
    # as of the day before it was achieved, it is not counted
    assert "Not met" in _ssp_card(client, "2016-01-14")
