"""The claim's controls in Chromium: an internal auditor works the sample line by line from
their home page, and a finance officer checks the claim on its own page before submitting it."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.test_claims import sign_out
from tests.browser.test_journeys import heading, sign_in
from tests.test_outcomes_cli import _example_one
from tff.auth.models import User
from tff.claims import operations
from tff.extensions import db
from tff.jobs.models import SUCCEEDED

pytestmark = pytest.mark.browser


def test_an_auditor_works_the_sample_from_home_and_finance_checks_then_submits(page, live):
    for reference in ("F001", "F002", "F003"):
        _example_one(live.app, reference)
    finance = live.make.user("finance", name="Fran Finance")
    auditor = live.make.user("auditor", name="Avi Auditor")
    with live.app.app_context():
        window = operations.create_window("2013-07", date(2013, 7, 31), sample_percent=100)
        job = operations.start_assembly(window, user=db.session.get(User, finance.id), queue=False)
        assert job.state == SUCCEEDED, job.message
        operations.draw_sample(operations.get_window("2013-07"), user=db.session.get(User, finance.id))

    sign_in(page, auditor.email)
    waiting = page.locator('[data-sample-waiting="2013-07"]')
    expect(waiting).to_contain_text("3 sampled lines still to check")
    waiting.get_by_role("link", name="Check the first").click()
    expect(heading(page, "F001: Crime, anti-social behaviour and education")).to_be_visible()
    expect(page.locator("[data-family-link]")).to_have_attribute("href", "/families/F001")

    page.get_by_label("What was checked").fill("School and police records seen")
    page.get_by_role("button", name="Verify the line").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "F001 Crime, anti-social behaviour and education: verified. This is the next sampled line to check."
    )
    expect(heading(page, "F002: Crime, anti-social behaviour and education")).to_be_visible()
    page.get_by_label("What was checked").fill("School returns do not match the claim")
    page.get_by_role("button", name="Reject the line").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "F002 Crime, anti-social behaviour and education: rejected and excluded"
    )
    expect(heading(page, "F003: Crime, anti-social behaviour and education")).to_be_visible()
    page.get_by_label("What was checked").fill("School and police records seen")
    page.get_by_role("button", name="Verify the line").click()
    expect(heading(page, "Claim for 2013-07")).to_be_visible()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Every sampled line is checked")
    page.get_by_role("link", name="Home").first.click()
    expect(page.locator("[data-sample-waiting]")).to_have_count(0)
    sign_out(page)

    sign_in(page, finance.email)
    page.get_by_role("link", name="Claims").first.click()
    page.get_by_role("link", name="2013-07").click()
    expect(page.get_by_role("button", name="Draw the audit sample again")).to_have_count(0)
    expect(page.locator("[data-sample-kept]")).to_contain_text("cannot be drawn again")
    page.get_by_role("button", name="Check and submit the claim").click()
    expect(heading(page, "Check the claim before you submit it")).to_be_visible()
    expect(page.locator("[data-claimed-total]")).to_have_text("2 lines, £1,400")
    expect(page.locator('[data-excluded="F002 crime_asb_education"]')).to_contain_text(
        "Rejected by internal audit: School returns do not match the claim"
    )
    expect(page.locator('[data-sample="rejected"]')).to_have_text("1")
    expect(page.locator('[data-sample="left"]')).to_have_text("0")
    page.get_by_role("button", name="Submit the claim").click()
    expect(heading(page, "Claim for 2013-07")).to_be_visible()
    expect(page.locator("[data-window-state]").first).to_have_text("Submitted")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Claim for 2013-07 submitted")
