"""A claim window end to end in Chromium: a finance officer prepares it, an internal auditor
checks its sample, the finance officer submits it, downloads its summary and records its payment.

The live server has no worker: the page's assemble button runs the assembly job in the request
(`start_assembly(..., queue=False)`, as the command line does), through the real job machinery."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_families import fill_date
from tests.browser.test_journeys import heading, sign_in
from tests.test_outcomes_cli import _example_one
from tff.claims import operations

pytestmark = pytest.mark.browser


@pytest.fixture
def assembled_here(monkeypatch):
    real_start = operations.start_assembly
    monkeypatch.setattr(
        operations, "start_assembly", lambda window, user=None, **kw: real_start(window, user, queue=False)
    )


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_a_finance_officer_and_an_auditor_take_a_window_to_payment(page, live, assembled_here):
    _example_one(live.app, "F001")
    _example_one(live.app, "F002")
    finance = live.make.user("finance", name="Fran Finance")
    auditor = live.make.user("auditor", name="Avi Auditor")

    sign_in(page, finance.email)
    page.get_by_role("link", name="Claims").first.click()
    expect(heading(page, "Claims")).to_be_visible()
    page.get_by_role("button", name="Create a claim window").click()
    page.get_by_label("Name").fill("2013-07")
    fill_date(page, "Evidence up to", 31, 7, 2013)
    fill_date(page, "Opens (optional)", 1, 7, 2013)
    fill_date(page, "Closes (optional)", 31, 8, 2013)
    page.get_by_label("Audit sample (percent of the lines)").fill("50")
    page.get_by_role("button", name="Create the window").click()
    expect(heading(page, "Claim for 2013-07")).to_be_visible()
    expect(page.locator("[data-window-state]").first).to_have_text("Open")

    page.get_by_role("button", name="Assemble the draft claim").click()
    expect(page.locator("[data-window-state]").first).to_have_text("Draft assembled")
    expect(page.locator("[data-lines]")).to_contain_text("2 lines: 2 included, £1,400")
    page.get_by_role("button", name="Draw the audit sample").click()
    expect(page.locator("[data-sample-left]")).to_contain_text("1 line sampled; 1 still to check")
    # Internal audit has not checked it: submission is refused, and the page says why.
    page.get_by_role("button", name="Submit the claim").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("1 sampled line still to check")
    sign_out(page)

    sign_in(page, auditor.email)
    page.get_by_role("link", name="Claims").first.click()
    page.get_by_role("link", name="2013-07").click()
    expect(page.get_by_role("button", name="Submit the claim")).to_have_count(0)
    page.locator(".tff-claim-sample").get_by_role("link").first.click()
    expect(page.locator(".tff-claim-reasons")).to_contain_text("5 -> 1")
    page.get_by_label("What was checked").fill("School and police records seen")
    page.get_by_role("button", name="Verify the line").click()
    expect(page.locator("[data-sample-left]")).to_contain_text("all checked")
    sign_out(page)

    sign_in(page, finance.email)
    page.get_by_role("link", name="Claims").first.click()
    page.get_by_role("link", name="2013-07").click()
    page.get_by_role("button", name="Submit the claim").click()
    expect(heading(page, "Check the claim before you submit it")).to_be_visible()
    page.get_by_role("button", name="Submit the claim").click()
    expect(page.locator("[data-window-state]").first).to_have_text("Submitted")
    submitted = page.locator(".govuk-summary-list__row", has=page.get_by_text("Submitted", exact=True))
    expect(submitted).to_contain_text("by Fran Finance")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="The summary by result and attachment year (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "claim-2013-07-summary.csv"
    with open(download.path(), encoding="utf-8") as file:
        assert file.read().splitlines() == [
            "window,outcome,attachment_year,families,amount",
            "2013-07,crime_asb_education,2012/13,2,1400",
        ]

    page.get_by_role("link", name="The claim schedule, to print for sign-off").click()
    expect(heading(page, "Claim schedule: 2013-07")).to_be_visible()
    expect(page.locator('[data-total="amount"]')).to_have_text("£1,400")
    page.emulate_media(media="print")
    expect(page.locator(".govuk-header")).to_be_hidden()
    page.emulate_media(media="screen")
    page.get_by_role("link", name="Claim for 2013-07").click()

    page.get_by_label("Amount paid, in whole pounds").fill("1400")
    fill_date(page, "Paid on", 30, 9, 2013)
    page.get_by_role("button", name="Record the payment").click()
    expect(page.locator("[data-window-state]").first).to_have_text("Paid")
    expect(page.locator("[data-claimed-and-paid]")).to_contain_text("Claimed £1,400, paid £1,400, £0 still to be paid")
    page.get_by_role("link", name="All claims").click()
    row = page.locator('[data-window="2013-07"]')
    expect(row.locator("[data-paid]")).to_have_text("£1,400")
    expect(row.locator("[data-claimed]")).to_have_text("£1,400")
