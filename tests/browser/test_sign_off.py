"""A lead worker proposes closing a family's case; a manager approves it from their home page,
and the family reads Closed."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_families import fill_date
from tests.browser.test_journeys import heading, sign_in
from tests.case_work import ago

pytestmark = pytest.mark.browser


def test_a_closure_proposed_by_a_lead_worker_is_approved_by_a_manager(page, live):
    worker = live.make.user("lead_worker", name="Lee Worker")
    manager = live.make.user("manager", name="Mo Manager")
    live.make.family("F888001", lead_worker_id=worker.id, status="attached", attached_on=ago(300))
    closed_on = ago(3)

    sign_in(page, worker.email)
    page.goto("/families/F888001")
    page.get_by_role("button", name="Propose closing the case").click()
    expect(heading(page, "Propose closing the case")).to_be_visible()
    fill_date(page, "Date closed", closed_on.day, closed_on.month, closed_on.year)
    page.get_by_label("Outcomes achieved").check()
    page.get_by_role("button", name="Propose closing the case").click()
    expect(heading(page, "Family F888001 Attached")).to_be_visible()
    expect(page.locator(".tff-sign-off--waiting")).to_contain_text("Closure proposed by Lee Worker on")
    expect(page.locator(".tff-sign-off--waiting")).to_contain_text("waiting for a manager")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, manager.email)
    waiting = page.locator(".tff-sign-offs")
    expect(waiting.get_by_role("row", name="F888001")).to_contain_text("Close the case: Outcomes achieved")
    expect(waiting).to_contain_text("Lee Worker")
    waiting.get_by_role("link", name="Approve closure of family F888001").click()
    expect(heading(page, "Approve the proposal")).to_be_visible()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved: the change to family F888001 is made")).to_be_visible()
    expect(page.get_by_text("Nothing is waiting for your sign-off")).to_be_visible()

    page.goto("/families/F888001")
    expect(heading(page, "Family F888001 Closed")).to_be_visible()
    closed = f"{closed_on.day} {closed_on:%b %Y}: Closed – Outcomes achieved"
    expect(page.locator(".tff-history")).to_contain_text(closed)
    expect(page.locator(".tff-sign-off--waiting")).to_have_count(0)
