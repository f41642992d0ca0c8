"""From each role's home page, the role's work is at most two clicks away: finance to a claim
window, internal audit to a sampled line, a manager to an outcome to approve, a coordinator to
the families eligible to attach, a lead worker to a family with an overdue action."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.test_journeys import heading, sign_in
from tests.case_work import ago
from tests.test_home_worklists import _job, _outcome, _window
from tff.cases.caf.models import Action
from tff.cases.models import FamilyCriterion
from tff.cases.models.identification import CONFIRMED
from tff.extensions import db
from tff.identification import engine
from tff.outcomes.verified.models import PROPOSED

pytestmark = pytest.mark.browser


def test_finance_goes_from_home_to_the_window_waiting_for_its_sample(page, live):
    family = live.make.family("F1", status="attached", attached_on=ago(300))
    _window(live.app, "March 2013", date(2013, 3, 31), assembled=True, lines=[(family.id, 800, False, False)])
    sign_in(page, live.make.user("finance").email)

    row = page.locator(".tff-home-windows").get_by_role("row", name="March 2013")
    expect(row).to_contain_text("Audit sample to draw")
    row.get_by_role("link", name="March 2013").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("March 2013")


def test_finance_goes_from_the_funding_headline_to_the_funding_page(page, live):
    sign_in(page, live.make.user("finance").email)

    page.get_by_role("link", name="£0 drawn down of £0 available").click()

    expect(heading(page, "Funding drawn down")).to_be_visible()


def test_an_auditor_goes_from_home_to_the_first_sampled_line(page, live):
    family = live.make.family("F1", status="attached", attached_on=ago(300))
    line = (family.id, 800, True, False)
    _window(live.app, "April 2013", date(2013, 4, 30), assembled=True, sampled=True, lines=[line])
    sign_in(page, live.make.user("auditor").email)

    page.get_by_role("link", name="Check the first sampled line of April 2013 (ref").click()

    expect(page).to_have_url(re.compile(r"/claims/\d+/lines/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_a_manager_goes_from_home_to_approving_an_outcome(page, live):
    family = live.make.family("F1", status="attached", attached_on=ago(200))
    _outcome(live.app, family.id, PROPOSED)
    sign_in(page, live.make.user("manager").email)

    page.get_by_role("link", name="1 verified outcome waiting for approval").click()
    expect(heading(page, "Verified outcomes to decide")).to_be_visible()
    page.get_by_role("link", name="Approve Into work, family F1").click()

    expect(heading(page, "Approve the outcome")).to_be_visible()


def test_a_coordinator_goes_from_home_to_the_families_eligible_to_attach(page, live):
    family = live.make.family("E1", identified_on=date(2013, 1, 1))
    with live.app.app_context():
        for code in engine.PHASE1_NATIONAL:
            db.session.add(FamilyCriterion(family_id=family.id, kind="national", code=code, source=CONFIRMED))
        db.session.commit()
    sign_in(page, live.make.user("coordinator").email)

    page.get_by_role("link", name="1 family eligible to attach, waiting for a decision").click()

    expect(heading(page, "Identification worklist")).to_be_visible()
    expect(page.locator('tr[data-family="E1"]')).to_be_visible()


def test_a_lead_worker_goes_from_home_to_the_family_with_an_overdue_action(page, live):
    worker = live.make.user("lead_worker")
    family = live.make.family("F7", lead_worker_id=worker.id, status="attached", attached_on=ago(200))
    live.make.family("F8", status="attached", attached_on=ago(200))
    with live.app.app_context():
        db.session.add(
            Action(family_id=family.id, description="Book the GP", owner="Mum", agreed_on=ago(60), due_on=ago(5))
        )
        db.session.commit()
    sign_in(page, worker.email)

    overdue = page.locator(".tff-overdue-work")
    expect(overdue).to_contain_text("Book the GP")
    expect(overdue).not_to_contain_text("F8")
    overdue.get_by_role("link", name="F7").click()

    expect(page.locator("main")).to_contain_text("Book the GP")
    assert "/families/F7" in page.url


def test_an_administrator_goes_from_home_to_a_job_that_failed_and_to_a_setting_not_made(page, live):
    job_id = _job(live.app, "Import attendance from spring.csv", "failed", 1)
    sign_in(page, live.make.user("admin").email)

    page.locator(".tff-home-failed-jobs").get_by_role("link", name="Import attendance from spring.csv").click()
    expect(page).to_have_url(f"{live.url}/jobs/{job_id}")
    page.go_back()
    page.locator(".tff-home-settings").get_by_role("link", name=re.compile("No retention period is set")).click()

    expect(page).to_have_url(f"{live.url}/privacy/retention")
