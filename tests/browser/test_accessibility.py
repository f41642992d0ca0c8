"""Every main page of every role, checked with axe-core in Chromium: a violation of impact
"serious" or "critical" fails the test, listed with its rule, what it means, where and on
which page.

axe-core comes from npm (package.json, installed by `make install`) and is injected into each
page through a context that bypasses the CSP (`a11y_page`); the app's pages never load it.
"""

import io
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import AXE
from tests.browser.test_journeys import sign_in
from tests.imports_support import events_csv
from tests.test_outcomes_cli import _example_one
from tff.auth.models import User
from tff.cases.caf import operations as caf
from tff.cases.models import Family
from tff.cases.progress.operations import add_note
from tff.cases.referrals import operations as referrals
from tff.claims import operations as claims
from tff.evidence.models import UnmatchedRow
from tff.extensions import db
from tff.imports.operations import create_run, start_import
from tff.outcomes import evaluation as evaluations
from tff.outcomes.plan_versions import operations as plan_versions
from tff.outcomes.plan_versions.models import OutcomePlanVersion
from tff.outcomes.verified import operations as verified

pytestmark = pytest.mark.browser

FAILING_IMPACTS = ("serious", "critical")
FAMILY = "/families/F001"
#: a phase two family, measured by the shipped Rotherham plan
PLANNED = "/families/F003"

#: the pages each role works in; `{name}` is filled from the records `cohort` makes
PAGES = {
    "coordinator": [
        "/",
        "/families/",
        "/families/?q=F00",
        "/identification/",
        "/families/caseloads",
        "/families/new",
        FAMILY,
        f"{FAMILY}/edit",
        f"{FAMILY}/members/new",
        f"{FAMILY}/criteria/record",
        f"{FAMILY}/lead-worker",
        f"{FAMILY}/team",
        f"{FAMILY}/level",
        f"{FAMILY}/close",
        f"{FAMILY}/caf",
        f"{FAMILY}/caf/consent",
        f"{FAMILY}/caf/assessments",
        f"{FAMILY}/caf/assessments/new",
        f"{FAMILY}/caf/priorities",
        f"{FAMILY}/plan",
        f"{FAMILY}/plan/new",
        f"{FAMILY}/meetings",
        f"{FAMILY}/meetings/new",
        f"{FAMILY}/reviews/new",
        f"{FAMILY}/referrals",
        f"{FAMILY}/referrals/new",
        f"{FAMILY}/referrals/{{referral}}",
        f"{FAMILY}/notes",
        f"{FAMILY}/notes/new",
        f"{FAMILY}/notes/{{note}}",
        f"{FAMILY}/timeline",
        f"{FAMILY}/evidence",
        f"{FAMILY}/evidence/events/new",
        f"{FAMILY}/evidence/spells/new",
        f"{FAMILY}/results?as_of=2013-07-31",
        f"{FAMILY}/verified-outcomes",
        f"{FAMILY}/verified-outcomes/new",
        f"{PLANNED}/criteria/record",
        f"{PLANNED}/verified-outcomes/new",
        "/families/F002/attach",
        "/providers/",
        "/imports/",
        "/imports/new",
        "/imports/{run}",
        "/evidence/unmatched",
        "/evidence/unmatched/{unmatched}",
        "/jobs/",
        "/outcomes/",
        "/outcomes/new",
        "/outcomes/{evaluation}",
        "/outcomes/{evaluation}/near-misses",
    ],
    "lead_worker": ["/", "/families/", FAMILY, f"{FAMILY}/verified-outcomes"],
    "finance": [
        "/",
        "/claims/",
        "/claims/new",
        "/claims/{window}",
        "/claims/{window}/lines/{line}",
        "/claims/{window}/schedule",
        "/claims/{window}/submit",
        "/claims/{window}/spot-checks",
        f"{FAMILY}/break-glass/case_work",
        "/funding/",
        "/funding/commitments",
        "/funding/spending",
    ],
    "auditor": [
        "/",
        "/audit/",
        "/claims/{window}",
        "/claims/{window}/lines/{line}",
        "/claims/{window}/audit/restart",
    ],
    "manager": [
        "/",
        "/funding/",
        "/outcome-plans/",
        "/outcome-plans/new",
        "/outcome-plans/{plan}",
        "/outcome-plans/{plan}/edit",
        "/verified-outcomes",
        f"{PLANNED}/verified-outcomes/{{verified}}/approve",
        "/outcomes/",
        "/outcomes/{evaluation}",
    ],
    "admin": [
        "/",
        "/admin/access",
        "/admin/users",
        "/admin/users/new",
        "/admin/users/{lead_worker}",
        "/admin/teams/",
        "/admin/teams/new",
        "/admin/evidence/",
        "/admin/evidence/benefits",
        "/admin/identification/",
        "/admin/evidence/kinds/new",
        "/admin/evidence/terms",
        "/admin/outcomes/rates",
        "/providers/new",
        "/outcomes/{evaluation}/near-misses",
    ],
}


def cohort(live) -> dict:
    """Enough records that every page above has something to show: families with evidence and
    case work, a finished import with held rows, an evaluation, a sampled claim window, the
    shipped outcome plans and a verified outcome awaiting a decision."""
    users = {role: live.make.user(role) for role in PAGES}
    _example_one(live.app, "F001")
    _example_one(live.app, "F002")
    with live.app.app_context():
        coordinator = db.session.get(User, users["coordinator"].id)
        family = db.session.scalar(select(Family).where(Family.reference == "F001"))
        family.lead_worker_id = users["lead_worker"].id
        db.session.commit()
        worker = db.session.get(User, users["lead_worker"].id)
        note = add_note(family, coordinator, date(2013, 1, 10), "visit", "Met the family at home", "Engaged")
        caf.add_action(
            family, coordinator, "Walk Casey to school", date(2013, 2, 1), owner="Mum", agreed_on=date(2013, 1, 5)
        )
        caf.record_meeting(family, coordinator, date(2013, 1, 12), [], "School nurse", "Attendance first", None)
        caf.record_assessment(family, coordinator, date(2013, 1, 5), {"school": {"score": "2"}}, "Needs help")
        provider = referrals.save_provider(coordinator, "Rotherham Family Support", "family_support", "10")
        referral = referrals.request_referral(family, coordinator, provider, date(2013, 1, 15), "Parenting")
        held = events_csv({"person_ref": "X-1", "kind": "asb", "date": "2013-04-02", "source": "police"})
        run = create_run("events", "police.csv", io.BytesIO(held), user=coordinator)
        start_import(run, user=coordinator, queue=False)
        unmatched = db.session.scalar(select(UnmatchedRow.id))
        evaluation = evaluations.create(date(2013, 3, 31), user=coordinator)
        evaluations.start_evaluation(evaluation, queue=False)
        window = claims.create_window("2013-07", date(2013, 7, 31), sample_percent=50)
        claims.start_assembly(window, queue=False)
        line = claims.draw_sample(claims.get_window("2013-07"))[0]
        plan_versions.store_shipped(db.session.get(User, users["manager"].id))
        plan = db.session.scalar(select(OutcomePlanVersion.id).order_by(OutcomePlanVersion.id))
        planned = Family(
            reference="F003",
            programme="phase2",
            status="attached",
            attached_on=date(2015, 6, 1),
            lead_worker_id=worker.id,
        )
        db.session.add(planned)
        db.session.commit()
        outcome = verified.record(planned, worker, "engaged_with_health_service", "GP letter", date(2015, 9, 1))
        return {
            "users": users,
            "note": note.id,
            "referral": referral.id,
            "verified": outcome.id,
            "run": run.id,
            "unmatched": unmatched,
            "evaluation": evaluation.id,
            "window": window.id,
            "line": line.id,
            "plan": plan,
            "lead_worker": users["lead_worker"].id,
        }


def axe_violations(page) -> list[str]:
    """The serious and critical violations axe-core finds on the page, one readable line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    found = []
    for violation in results["violations"]:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        found.append(
            f"{page.url}: [{violation['impact']}] {violation['id']}: {violation['help']} -> {targets}"
            f" ({violation['helpUrl']})"
        )
    return found


def check_pages(page, paths: list[str]) -> list[str]:
    found = []
    for path in paths:
        response = page.goto(path)
        assert response.ok, f"{path} answered {response.status}"
        found += axe_violations(page)
    return found


def test_the_sign_in_page_and_its_error_state_are_accessible(a11y_page, live):
    found = check_pages(a11y_page, ["/login"])
    sign_in(a11y_page, "nobody@example.org", "not-the-password")
    expect(a11y_page.locator(".govuk-error-summary")).to_be_visible()
    found += axe_violations(a11y_page)
    assert not found, "accessibility violations:\n" + "\n".join(found)


@pytest.mark.parametrize("role", list(PAGES))
def test_the_main_pages_of_each_role_are_accessible(a11y_page, live, role):
    made = cohort(live)
    sign_in(a11y_page, made["users"][role].email)
    expect(a11y_page.get_by_role("button", name="Sign out")).to_be_visible()
    paths = [path.format(**made) for path in PAGES[role]]
    found = check_pages(a11y_page, paths)
    assert not found, f"accessibility violations seen by {role}:\n" + "\n".join(found)


#: forms sent empty, so that their error summary and error messages are checked too
EMPTY_FORMS = {
    f"{FAMILY}/notes/new": "Save the note",
    f"{FAMILY}/plan/new": "Add to the plan",
    f"{FAMILY}/meetings/new": "Save the meeting",
    f"{FAMILY}/referrals/new": "Make the referral",
    f"{PLANNED}/verified-outcomes/new": "Record the outcome",
    "/imports/new": "Import the file",
}


def test_forms_showing_their_errors_are_accessible(a11y_page, live):
    made = cohort(live)
    sign_in(a11y_page, made["users"]["coordinator"].email)
    found = []
    for path, button in EMPTY_FORMS.items():
        a11y_page.goto(path)
        a11y_page.get_by_role("button", name=button).click()
        expect(a11y_page.locator(".govuk-error-summary")).to_be_visible()
        found += axe_violations(a11y_page)
    assert not found, "accessibility violations on forms showing errors:\n" + "\n".join(found)
