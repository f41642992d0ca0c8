"""A manager follows the money in Chromium: the funding totals move when a claim is submitted;
the dashboard prints without navigation or buttons, its tables and charts whole and black on white."""

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.test_journeys import heading, sign_in
from tests.test_outcomes_cli import _example_one
from tff.cases.models import Family
from tff.cases.referrals.models import Provider, Referral
from tff.claims import operations as claims
from tff.extensions import db

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
    expect(claimed).to_have_text("£700 for 1 family (£0 paid, £700 not yet paid)")
    # drawn down is the money received: nothing until the result is paid
    expect(page.locator('[data-total="drawn"]')).to_contain_text("£0")
    with live.app.app_context():
        claims.record_payment(claims.get_window("2013-07"), 700, date(2013, 9, 30))
    page.reload()
    expect(claimed).to_have_text("£700 for 1 family (£700 paid, £0 not yet paid)")
    expect(page.locator('[data-total="drawn"]')).to_contain_text("£700")
    chart = page.get_by_role("img", name="Results claimed, window by window")
    expect(chart).to_be_visible()
    expect(page.locator(".tff-funding-windows")).to_contain_text("2013-07")


def test_the_dashboard_prints_without_navigation_or_buttons(page, live):
    _example_one(live.app, "F001")
    with live.app.app_context():
        provider = Provider(name="Acorn Family Support", service_type="family_support")
        db.session.add(provider)
        db.session.flush()
        family_id = db.session.scalar(select(Family.id).where(Family.reference == "F001"))
        referral = Referral(
            family_id=family_id, provider_id=provider.id, reason="Support", requested_on=date(2012, 10, 1)
        )
        db.session.add(referral)
        db.session.commit()
        window = claims.create_window("2013-07", date(2013, 7, 31), sample_percent=0)
        assert claims.start_assembly(window, queue=False).state == "succeeded"
        claims.submit(window)
    finance = live.make.user("finance")
    sign_in(page, finance.email)
    page.goto("/funding/")
    record = page.get_by_role("button", name="Record attachment fees received")
    sign_out = page.get_by_role("button", name="Sign out")
    navigation = page.locator(".govuk-service-navigation")
    downloads = page.get_by_role("link", name="Download this table as CSV")
    expect(record).to_be_visible()
    expect(navigation).to_be_visible()

    page.emulate_media(media="print")
    for hidden in (record, sign_out, navigation, downloads.first, downloads.last):
        expect(hidden).to_be_hidden()
    expect(heading(page, "Funding drawn down")).to_be_visible()
    for table in ("years", "windows", "outcomes", "providers"):
        expect(page.locator(f".tff-funding-{table}")).to_be_visible()
        assert page.locator(f".tff-funding-{table}").evaluate("t => getComputedStyle(t).breakInside") == "avoid"
    trajectory = page.get_by_role("img", name="Results claimed, window by window")
    expect(trajectory).to_be_visible()
    expect(page.get_by_role("img", name="Results claimed by result")).to_be_visible()
    assert page.locator("figure.tff-chart").first.evaluate("f => getComputedStyle(f).breakInside") == "avoid"
    # the series (one window: a dot each) and their key are black, told apart by their dashes
    key = trajectory.locator('line[stroke-width="3"]').evaluate_all("ls => ls.map(l => getComputedStyle(l).stroke)")
    dots = trajectory.locator("circle").evaluate_all("cs => cs.map(c => getComputedStyle(c).fill)")
    assert key and dots and set(key) | set(dots) == {"rgb(0, 0, 0)"}
    assert trajectory.locator("text").first.evaluate("t => getComputedStyle(t).fill") == "rgb(0, 0, 0)"

    page.emulate_media(media="screen")
    expect(record).to_be_visible()
