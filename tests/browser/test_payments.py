"""A finance officer in Chromium keys £999,999 against an £89,400 claim: the page asks before
recording it, then says the claim is overpaid; the officer reverses the payment with a reason
and the claim is back to £89,400 still to be paid, both entries listed."""

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.test_accessibility import axe_violations
from tests.browser.test_families import fill_date
from tests.browser.test_journeys import heading, sign_in
from tff.claims import operations
from tff.claims.models import ClaimBatch, ClaimLine
from tff.extensions import db
from tff.timeutil import utcnow

pytestmark = pytest.mark.browser


def _submitted_claim(live) -> None:
    """2013-07, submitted: two families' lines, £89,400 in all."""
    families = [live.make.family(ref, status="attached", attached_on=date(2013, 1, 10)) for ref in ("F001", "F002")]
    with live.app.app_context():
        window = operations.create_window("2013-07", date(2013, 7, 31), sample_percent=0)
        batch = db.session.scalar(select(ClaimBatch).where(ClaimBatch.window_id == window.id))
        for family in families:
            db.session.add(
                ClaimLine(
                    batch_id=batch.id,
                    family_id=family.id,
                    family_ref=family.reference,
                    outcome="crime_asb_education",
                    attachment_year="2012/13",
                    amount=44_700,
                    rule_set="phase1",
                )
            )
        batch.assembled_at = utcnow()
        db.session.commit()
        operations.submit(window)


def test_a_finance_officer_reverses_a_mistaken_payment(page, live):
    _submitted_claim(live)
    finance = live.make.user("finance", name="Fran Finance")
    sign_in(page, finance.email)
    page.get_by_role("link", name="Claims").first.click()
    page.get_by_role("link", name="2013-07").click()
    expect(heading(page, "Claim for 2013-07")).to_be_visible()
    expect(page.get_by_label("Record it anyway: more than is outstanding")).to_have_count(0)

    page.get_by_label("Amount paid, in whole pounds").fill("999999")
    fill_date(page, "Paid on", 30, 9, 2013)
    page.get_by_role("button", name="Record the payment").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("£999,999 is more than is outstanding for 2013-07")
    expect(page.locator("[data-claimed-and-paid]")).to_contain_text("paid £0")
    page.get_by_label("Record it anyway: more than is outstanding").check()
    page.get_by_role("button", name="Record the payment").click()
    expect(page.locator("[data-window-state]").first).to_have_text("Paid")
    expect(page.locator("[data-claimed-and-paid]")).to_contain_text("Claimed £89,400, paid £999,999, £910,599 overpaid")

    page.get_by_role("link", name="Reverse the payment of £999,999 on 30 September 2013").click()
    expect(heading(page, "Reverse the payment of £999,999 on 30 September 2013")).to_be_visible()
    page.get_by_role("button", name="Reverse the payment").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why the entry is reversed")
    page.get_by_label("Why is it reversed?").fill("Keyed as £999,999 instead of £89,400")
    page.get_by_role("button", name="Reverse the payment").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text("was reversed")
    expect(page.locator("[data-claimed-and-paid]")).to_contain_text(
        "Claimed £89,400, paid £0, £89,400 still to be paid"
    )
    ledger = page.locator(".tff-claim-payments tbody tr")
    expect(ledger).to_have_count(2)
    expect(ledger.nth(0)).to_contain_text("Reversed")
    expect(ledger.nth(1)).to_contain_text("Reversal of the payment of £999,999 on 30 September 2013")
    expect(ledger.nth(1)).to_contain_text("−£999,999")
    expect(ledger.nth(1)).to_contain_text("Keyed as £999,999 instead of £89,400")
    expect(ledger.nth(1)).to_contain_text("by Fran Finance")
    expect(page.get_by_role("link", name="Reverse", exact=False)).to_have_count(0)

    page.get_by_role("link", name="All claims").click()
    row = page.locator('[data-window="2013-07"]')
    expect(row.locator("[data-paid]")).to_have_text("£0")
    expect(row.locator("[data-outstanding]")).to_have_text("£89,400")


def test_the_ledger_and_its_forms_are_accessible_with_their_errors(a11y_page, live):
    page = a11y_page
    _submitted_claim(live)
    sign_in(page, live.make.user("finance").email)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    with live.app.app_context():
        window = operations.get_window("2013-07")
        operations.record_payment(window, 999_999, date(2013, 9, 30), over_outstanding=True)
        operations.claw_back(window, 700, date(2014, 1, 15), "F002: attendance not evidenced")
        url, entry = f"/claims/{window.id}", operations.ledger(window)[0].id
    found = []
    page.goto(url)
    page.get_by_label("Amount paid, in whole pounds").fill("5")
    fill_date(page, "Paid on", 30, 9, 2013)
    page.get_by_role("button", name="Record the payment").click()
    expect(page.get_by_label("Record it anyway: more than is outstanding")).to_be_visible()
    found += axe_violations(page)
    for path, button in ((f"{url}/reversal?entry={entry}", "Reverse the payment"), (f"{url}/clawback", None)):
        page.goto(path)
        page.get_by_role("button", name=button or "Record the clawback").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        found += axe_violations(page)
    assert not found, "accessibility violations:\n" + "\n".join(found)
