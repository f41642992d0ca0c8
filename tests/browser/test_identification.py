"""A coordinator in the browser: a family the evidence suggests is found on the worklist with its
evidence, its suggestions confirmed one by one, and it is attached; a family with no criteria is
refused at attachment until the coordinator records why."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.test_families import fill_date
from tests.browser.test_journeys import heading, sign_in
from tests.case_work import member
from tff.evidence.models import AttendanceRecord, Event, Spell
from tff.extensions import db

pytestmark = pytest.mark.browser


def _identified_with_evidence(live) -> None:
    """F500001: a child's ASB (police E777), 20% unauthorised absence over the last 3 terms
    before 15 August 2013, a parent on ESA; F500002: identified, nobody's evidence. The
    suggestions are worked out as `flask identify` does."""
    suggested = live.make.family("F500001", identified_on=date(2013, 6, 1))
    live.make.family("F500002", identified_on=date(2013, 6, 1))
    child = member(live.app, suggested.id, "Casey", "Child", date(2001, 5, 1), relationship="son", ref="F500001-02")
    parent = member(live.app, suggested.id, "Pat", "Parent", date(1980, 5, 1), ref="F500001-01")
    with live.app.app_context():
        db.session.add(Event(member_id=child, kind="asb", date=date(2013, 2, 11), source="police", reference="E777"))
        db.session.add(Spell(member_id=parent, kind="benefit", detail="ESA", start_date=date(2012, 1, 1)))
        for term in ("autumn", "spring", "summer"):
            db.session.add(
                AttendanceRecord(
                    member_id=child, academic_year="2012/13", term=term, possible=100, unauthorised=20, school=""
                )
            )
        db.session.commit()
    result = live.app.test_cli_runner().invoke(args=["identify", "--as-of", "2013-08-15"])
    assert result.exit_code == 0, result.output


def test_a_suggested_family_is_confirmed_and_attached_and_one_with_no_criteria_needs_a_reason(page, live):
    coordinator = live.make.user("coordinator", name="Cara Coordinator")
    _identified_with_evidence(live)
    sign_in(page, coordinator.email)

    page.get_by_role("link", name="Identification", exact=True).click()
    row = page.locator("tr", has=page.get_by_role("link", name="F500001"))
    expect(row).to_contain_text("E777")
    expect(page.get_by_role("link", name="F500002")).to_have_count(0)
    row.get_by_role("link", name="F500001").click()

    expect(page.get_by_text("It would be eligible if the suggestions below were confirmed")).to_be_visible()
    crime = page.locator("tr[data-code='crime_asb']")
    expect(crime).to_contain_text("Suggested by the evidence")
    expect(crime).to_contain_text("asb 2013-02-11 (police E777)")
    for code in ("crime_asb", "education", "work"):
        page.locator(f"tr[data-code='{code}']").get_by_role("button", name="Confirm").click()
        expect(page.locator(f"tr[data-code='{code}']")).to_contain_text("Confirmed from the evidence")
    expect(page.get_by_text("Eligible for Phase one (2012) on its confirmed criteria")).to_be_visible()

    page.get_by_role("button", name="Attach the family").click()
    expect(page.get_by_label("Why is the family being attached without meeting the criteria?")).to_have_count(0)
    fill_date(page, "Date attached", 2, 9, 2013)
    page.get_by_role("button", name="Attach the family").click()
    expect(heading(page, "Family F500001 Attached")).to_be_visible()
    expect(page.locator(".tff-attach-override")).to_have_count(0)

    page.goto(f"{live.url}/families/F500002")
    expect(page.get_by_text("Not eligible for Phase one (2012) on its confirmed criteria")).to_be_visible()
    page.get_by_role("button", name="Attach the family").click()
    fill_date(page, "Date attached", 2, 9, 2013)
    page.get_by_role("button", name="Attach the family").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("say why it is being attached anyway")
    page.get_by_label("Why is the family being attached without meeting the criteria?").fill(
        "Referred by the police panel; the partners' data has not arrived yet"
    )
    page.get_by_role("button", name="Attach the family").click()
    expect(heading(page, "Family F500002 Attached")).to_be_visible()
    expect(page.locator(".tff-attach-override")).to_contain_text("the partners' data has not arrived yet")
