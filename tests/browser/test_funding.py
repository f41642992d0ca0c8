"""A manager follows the money in Chromium: the funding totals move when a claim is submitted."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.test_journeys import heading, sign_in
from tests.test_outcomes_cli import _example_one
from tff.claims import operations as claims

pytestmark = pytest.mark.browser


def test_a_manager_sees_the_totals_change_after_a_window_is_submitted(page, live):
    _example_one(live.app, "F001")
    with live.app.app_context():
        window = claims.create_window("2013-07", date(2013, 7, 31), sample_percent=0)
        assert claims.start_assembly(window, queue=False).state == "succeeded"
    manager = live.make.user("manager")
    sign_in(page, manager.email)
    page.get_by_role("link", name="Funding").first.click()
    expect(heading(page, "Funding drawn down")).to_be_visible()
    claimed = page.locator('[data-total="results_claimed"]')
    expect(claimed).to_have_text("£0")
    expect(page.get_by_text("No claim has been submitted yet.")).to_be_visible()

    with live.app.app_context():
        claims.submit(claims.get_window("2013-07"))
    page.reload()
    expect(claimed).to_have_text("£700")
    expect(page.locator('[data-total="drawn"]')).to_contain_text("£3,900")
    chart = page.get_by_role("img", name="Results claimed, window by window")
    expect(chart).to_be_visible()
    expect(page.locator(".tff-funding-windows")).to_contain_text("2013-07")
