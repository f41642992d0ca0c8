"""A coordinator takes a family from identification to closure in the browser, and a lead
worker then sees only their own families."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_journeys import heading, sign_in

pytestmark = pytest.mark.browser


def fill_date(page, legend: str, day: int, month: int, year: int) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))


def test_a_family_from_identification_to_closure(page, live):
    coordinator = live.make.user("coordinator", name="Cara Coordinator")
    worker = live.make.user("lead_worker", name="Lee Worker")
    live.make.family("F777002", status="attached")

    sign_in(page, coordinator.email)
    page.get_by_role("link", name="Families", exact=True).click()
    page.get_by_role("button", name="Identify a family").click()
    expect(heading(page, "Identify a family")).to_be_visible()
    page.get_by_label("Family reference").fill("F777001")
    page.get_by_label("Phase one (2012)").check()
    fill_date(page, "Date identified", 3, 9, 2012)
    page.get_by_label("Address").fill("12 Canklow Road\nRotherham")
    page.get_by_label("Postcode").fill("s60 2jd")
    page.get_by_role("button", name="Save").click()
    expect(heading(page, "Family F777001 Identified")).to_be_visible()
    expect(page.get_by_text("S60 2JD")).to_be_visible()

    page.get_by_role("button", name="Add a family member").click()
    expect(page.get_by_label("Person reference")).to_have_value("F777001-01")
    page.get_by_label("First name").fill("Leanne")
    page.get_by_label("Last name").fill("Booth")
    fill_date(page, "Date of birth", 14, 2, 1984)
    page.get_by_label("Relationship in the family").select_option("mother")
    page.get_by_label("National Insurance number (adults)").fill("qq 12 34 56 c")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name="Leanne Booth F777001-01")).to_be_visible()
    expect(page.get_by_text("NI QQ123456C")).to_be_visible()

    page.get_by_role("link", name="Record criteria the data does not show").click()
    # All three: with two and no local filter a phase one family is not eligible to attach.
    page.get_by_label("National criteria: Youth crime or anti-social behaviour").check()
    page.get_by_label("National criteria: Poor school attendance or exclusions").check()
    page.get_by_label("National criteria: Adults on out-of-work benefits").check()
    page.get_by_label("What shows the family meets them?").fill("The school and the police panel, 2 May 2013")
    page.get_by_role("button", name="Record the criteria").click()
    expect(page.locator(".tff-criteria-national .tff-criterion--confirmed")).to_have_count(3)
    expect(page.get_by_text("Eligible for Phase one (2012) on its confirmed criteria")).to_be_visible()

    page.get_by_role("link", name="Identification").click()
    expect(page.get_by_role("link", name="F777001")).to_be_visible()
    page.get_by_role("link", name="F777001").click()

    page.get_by_role("link", name="Change lead worker").click()
    page.get_by_label("Lead worker").select_option(label="Lee Worker (0 open cases)")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Lee Worker is now the lead worker for F777001")).to_be_visible()

    page.get_by_role("button", name="Attach the family").click()
    fill_date(page, "Date attached", 1, 10, 2012)
    page.get_by_role("button", name="Attach the family").click()
    expect(heading(page, "Family F777001 Attached")).to_be_visible()

    page.get_by_role("button", name="Propose closing the case").click()
    page.get_by_role("button", name="Propose closing the case").click()  # nothing chosen yet
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.locator(".govuk-error-summary").get_by_text("Choose why the case is closing")).to_be_visible()
    fill_date(page, "Date closed", 31, 7, 2014)
    page.get_by_label("Outcomes achieved").check()
    page.get_by_role("button", name="Propose closing the case").click()
    # a manager signs the closure off (tests/browser/test_sign_off.py)
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live.make.user("manager").email)
    page.get_by_role("link", name="Approve closure of family F777001").click()
    page.get_by_role("button", name="Approve").click()
    page.goto("/families/F777001")
    expect(heading(page, "Family F777001 Closed")).to_be_visible()
    history = page.locator(".tff-history")
    for step in ("3 Sep 2012: Identified", "1 Oct 2012: Attached", "31 Jul 2014: Closed – Outcomes achieved"):
        expect(history).to_contain_text(step)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, worker.email)
    page.get_by_role("link", name="Families", exact=True).click()
    expect(page.get_by_role("link", name="F777001")).to_be_visible()
    expect(page.get_by_role("link", name="F777002")).to_have_count(0)
    page.get_by_label("Search").fill("F7770")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 family matching")).to_be_visible()
    response = page.goto("/families/F777002")
    assert response.status == 404
    expect(heading(page, "Page not found")).to_be_visible()
    # Chromium logs the page's own 404 as a console error: expected here, and only here.
    page.console_errors[:] = [e for e in page.console_errors if not e.endswith("/families/F777002")]
