"""A coordinator's day-to-day work on one family in Chromium: the Family CAF, the action plan,
a Team Around the Family meeting, a referral and a case note, each through its own form."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.test_families import fill_date
from tests.browser.test_journeys import sign_in
from tests.case_work import member
from tff.auth.models import User
from tff.cases.referrals import operations as referrals
from tff.extensions import db

pytestmark = pytest.mark.browser


@pytest.fixture
def family(live):
    """F100, attached, with Dana Hill in it; a coordinator signed in."""
    made = live.make.family("F100", status="attached", attached_on=date(2024, 9, 2))
    member(live.app, made.id, "Dana", "Hill", date(1985, 6, 1), ref="F100-01")
    return made


def open_section(page, name: str) -> None:
    page.goto("/families/F100")
    page.get_by_role("navigation", name="Sections of the case").get_by_role("link", name=name, exact=True).click()


def test_a_coordinator_records_the_family_caf(page, live, family):
    sign_in(page, live.make.user("coordinator").email)
    open_section(page, "Family CAF")
    page.get_by_role("button", name="Assess the family").first.click()
    fill_date(page, "Date of the assessment", 3, 3, 2025)
    school = page.locator("#domain-school")
    school.get_by_label("2 – Some concern").check()
    school.get_by_label("Needs").fill("Casey misses Mondays")
    page.get_by_label("Summary (optional)").fill("Willing to work with us")
    page.get_by_role("button", name="Save the assessment").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text("The assessment has been saved")
    expect(page.get_by_role("heading", name="Assessment of 3 Mar 2025")).to_be_visible()
    row = page.locator(".tff-assessment tbody tr")
    expect(row).to_have_count(1)
    expect(row.get_by_role("rowheader")).to_have_text("School attendance and learning")
    expect(row).to_contain_text("Casey misses Mondays")
    expect(page.get_by_text("Willing to work with us")).to_be_visible()


def test_a_coordinator_adds_an_action_to_the_plan(page, live, family):
    sign_in(page, live.make.user("coordinator").email)
    open_section(page, "Action plan")
    page.get_by_role("button", name="Add an action").click()
    page.get_by_label("What needs to happen").fill("Walk Casey to school on Mondays")
    page.get_by_label("Who will do it").fill("Dana")
    fill_date(page, "Date agreed", 3, 3, 2025)
    fill_date(page, "Due by", 31, 3, 2025)
    page.get_by_role("button", name="Add to the plan").click()

    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name="Walk Casey to school on Mondays"))
    expect(row).to_contain_text("Dana")
    expect(row).to_contain_text("31 Mar 2025")
    expect(row.get_by_role("button", name="Mark as done")).to_be_visible()


def test_a_coordinator_records_a_team_around_the_family_meeting(page, live, family):
    sign_in(page, live.make.user("coordinator").email)
    open_section(page, "Meetings and reviews")
    page.get_by_role("button", name="Record a meeting").click()
    fill_date(page, "Date of the meeting", 4, 3, 2025)
    page.get_by_label("Others who attended").fill("Dana Hill\nSchool nurse")
    page.get_by_label("Decisions").fill("School nurse to visit weekly")
    page.get_by_role("button", name="Save the meeting").click()

    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.get_by_text("School nurse to visit weekly")).to_be_visible()
    expect(page.locator("main")).to_contain_text("4 Mar 2025")


def test_a_coordinator_refers_the_family_to_a_provider(page, live, family):
    coordinator = live.make.user("coordinator")
    with live.app.app_context():
        referrals.save_provider(db.session.get(User, coordinator.id), "Rotherham MST", "mst", "5")
    sign_in(page, coordinator.email)
    open_section(page, "Referrals")
    page.get_by_role("button", name="Refer the family to a provider").click()
    provider = page.get_by_label("Provider")
    provider.select_option(provider.locator("option", has_text="Rotherham MST").get_attribute("value"))
    fill_date(page, "Date of the referral", 5, 3, 2025)
    page.get_by_label("Why is the family referred?").fill("Behaviour at home")
    page.get_by_role("button", name="Make the referral").click()

    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Rotherham MST")
    expect(page.locator("main")).to_contain_text("Requested")


def test_a_coordinator_adds_a_case_note(page, live, family):
    sign_in(page, live.make.user("coordinator", name="Cara Coordinator").email)
    open_section(page, "Notes")
    page.get_by_role("button", name="Add a case note").click()
    fill_date(page, "Date of the contact", 6, 3, 2025)
    page.get_by_label("Phone call").check()
    page.get_by_label("What happened (facts)").fill("Dana rang: Casey went to school every day")
    page.get_by_label("Your professional opinion (optional)").fill("The plan is working")
    page.get_by_role("button", name="Save the note").click()

    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.get_by_text("Dana rang: Casey went to school every day")).to_be_visible()
    open_section(page, "Timeline")
    expect(page.locator("main")).to_contain_text("Dana rang")
