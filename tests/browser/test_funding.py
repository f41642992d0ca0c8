"""A manager follows the money in Chromium: the seed council's year one read as its finance report
does; the funding totals move when a claim is submitted; the dashboard prints without navigation
or buttons, its tables and charts whole and black on white."""

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.test_claims import sign_out
from tests.browser.test_families import fill_date
from tests.browser.test_journeys import heading, sign_in
from tests.test_outcomes_cli import _example_one
from tff.cases.models import Family, Team
from tff.cases.referrals.models import Provider, Referral
from tff.claims import operations as claims
from tff.extensions import db
from tff.funding import commitments, operations, spending

pytestmark = pytest.mark.browser


def test_a_manager_reads_the_seed_council_s_year_one_as_its_finance_report_does(page, live):
    """Section 7 of the council's review (May 2014): "For year 1 we received 80% of the available
    funding via up-front attachment fees, with 20% available to claim ... The total of £649,600
    received was based on working with 244 families. For year 2 60% ... £732,000 received was
    based on working with 365 families. For year 3, 40% ... 120 families." Finance records year
    one in the browser; the later years and the staffing are on record already."""
    with live.app.app_context():
        commitments.set_commitment("phase1", "2013/14", 365, 305, None)
        commitments.set_commitment("phase1", "2014/15", 120, None, None)
        operations.record_fees("phase1", "2013/14", 732_000, date(2013, 6, 28), None, None)
        team = Team(name="Families for Change")
        db.session.add(team)
        db.session.flush()
        for year, amount in (("2012/13", 649_600), ("2013/14", 657_496)):
            values = spending.check("Staffing costs and expenses", year, str(amount), "team", team_id=team.id)
            spending.add_line(values, None)
        db.session.commit()
    finance = live.make.user("finance")
    sign_in(page, finance.email)
    page.goto("/funding/commitments")
    page.get_by_label("Programme").first.select_option(label="Phase one (2012)")
    page.get_by_label("Financial year").fill("2012/13")
    page.get_by_label("Families committed").fill("244")
    page.get_by_role("button", name="Save the commitment").click()
    expect(page.get_by_text("Phase one (2012) 2012/13: 244 families committed, 203 funded")).to_be_visible()
    page.goto("/funding/fees/new")
    page.get_by_label("Programme").select_option(label="Phase one (2012)")
    page.get_by_label("Financial year of attachment").fill("2012/13")
    page.get_by_label("Amount received, in whole pounds").fill("649600")
    fill_date(page, "Date received", 28, 9, 2012)
    page.get_by_role("button", name="Record the fees received").click()
    expect(page.get_by_text("The attachment fees received are recorded.")).to_be_visible()
    sign_out(page)

    manager = live.make.user("manager")
    sign_in(page, manager.email)
    page.get_by_role("link", name="Funding").first.click()
    expect(heading(page, "Funding drawn down")).to_be_visible()
    # 244 families committed; the fee paid for 203 (one sixth less), none attached here yet
    progress = page.locator(".tff-funding-progress tbody tr")
    expect(progress.nth(0).locator("th")).to_have_text(["Phase one (2012)", "2012/13", "Families funded"])
    expect(progress.nth(0).locator("td")).to_have_text(["244", "203", "0", "0%", "0"])
    expect(progress.nth(1).locator("td")).to_have_text(["365", "305", "0", "0%", "0"])
    expect(progress.nth(2).locator("td")).to_have_text(["120", "100", "0", "0%", "0"])
    # fees due, received, results available (203 x £800), claimed, paid, not yet paid,
    # available, the share paid up front, drawn down
    money = page.locator(".tff-funding-years tbody tr")
    expect(money.nth(0).locator("th")).to_have_text(["Phase one (2012)", "2012/13"])
    expect(money.nth(0).locator("td")).to_have_text(
        ["£649,600", "£649,600", "£162,400", "£0", "£0", "£0", "£812,000", "80%", "£649,600"]
    )
    expect(money.nth(1).locator("td")).to_have_text(
        ["£732,000", "£732,000", "£488,000", "£0", "£0", "£0", "£1,220,000", "60%", "£732,000"]
    )
    expect(money.nth(2).locator("td")).to_have_text(
        ["£160,000", "£0", "£240,000", "£0", "£0", "£0", "£400,000", "40%", "£0"]
    )
    expect(page.locator('[data-total="fees_due"]')).to_have_text("£1,541,600 (£1,381,600 received)")
    # all spending to date profiled against the money received: £1,307,096 of staffing
    profile = page.locator(".tff-spending-profile tbody tr")
    expect(profile.nth(0)).to_contain_text("2012/13")
    expect(profile.nth(0).locator("td")).to_have_text(["£649,600", "£649,600", "£0", "£0"])
    expect(profile.last.locator("td")).to_have_text(["£1,381,600", "£1,307,096", "£74,504", "£0"])


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
