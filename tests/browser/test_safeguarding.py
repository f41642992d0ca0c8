"""A lead worker records a CSE screening that finds a concern, and from then on the family is
flagged on their home page, at the top of every page of the family and in the families list."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import check_pages
from tests.browser.test_families import fill_date
from tests.browser.test_journeys import heading, sign_in
from tests.case_work import member
from tff.cases.caf.models import SCREENINGS, Screening
from tff.dates import today as uk_today
from tff.evidence.models import Event, Spell
from tff.extensions import db

pytestmark = pytest.mark.browser


def test_a_lead_worker_sees_a_cse_concern_on_their_home_page_and_on_the_familys_pages(page, live):
    worker = live.make.user("lead_worker", name="Lena Worker")
    family = live.make.family("F880001", lead_worker_id=worker.id, status="attached", attached_on=date(2026, 1, 5))
    member(live.app, family.id, "Kyle", "Hale", date(2011, 5, 1), "child")
    with live.app.app_context():
        today = uk_today()

    sign_in(page, worker.email)
    expect(page.get_by_text("None of your families has a safeguarding flag.")).to_be_visible()

    page.get_by_role("link", name="Families", exact=True).click()
    page.get_by_role("link", name="F880001").click()
    expect(page.locator(".tff-safeguarding")).to_have_count(0)
    page.get_by_role("link", name="Family CAF").click()
    page.get_by_role("button", name="Record a child sexual exploitation (CSE) screening").click()
    page.get_by_label("Who is the screening about?").select_option(label="Kyle Hale")
    fill_date(page, "Date completed", today.day, today.month, today.year)
    for code, question in SCREENINGS["cse"]["questions"].items():
        answer = "Yes" if code in ("missing", "older_associates") else "No"
        page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    page.get_by_label("Concern – referral made").check()
    page.get_by_label("Referred to, or already known by").fill("The multi-agency CSE team")
    page.get_by_role("button", name="Save the screening").click()

    # The home page lists the family with its flag, its date and where it came from.
    page.get_by_role("link", name="Home", exact=True).click()
    flagged = page.locator(".tff-flagged-families")
    expect(flagged).to_contain_text("1 family with safeguarding flags")
    row = flagged.get_by_role("row").filter(has_text="F880001")
    when = f"{today.day} {today:%b %Y}"
    source = "(Family CAF screening by Lena Worker)"
    expect(row).to_contain_text(f"CSE or exploitation concern – Kyle Hale: {when} {source}")

    # Its link leads to the family, whose every page opens with the warning.
    row.get_by_role("link", name="F880001").click()
    expect(heading(page, "Family F880001 Attached")).to_be_visible()
    warning = page.locator(".tff-safeguarding")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Safeguarding: take care with this family")
    expect(warning).to_contain_text("CSE or exploitation concern – Kyle Hale")
    page.get_by_role("link", name="Action plan").click()
    expect(page.locator(".tff-safeguarding")).to_contain_text("CSE or exploitation concern – Kyle Hale")

    # And the families list marks it.
    page.get_by_role("link", name="Families", exact=True).click()
    tag = page.get_by_role("row").filter(has_text="F880001").locator(".tff-safeguarding-tag")
    expect(tag).to_have_text("Safeguarding: CSE concern")
    expect(tag).to_have_attribute("title", "CSE concern")


def test_the_flags_are_accessible_wherever_they_show(a11y_page, live):
    coordinator = live.make.user("coordinator", name="Cara Coordinator")
    worker = live.make.user("lead_worker", name="Lena Worker")
    family = live.make.family("F880002", lead_worker_id=worker.id, status="attached", attached_on=date(2026, 1, 5))
    child = member(live.app, family.id, "Kyle", "Hale", date(2011, 5, 1), "child")
    with live.app.app_context():
        today = uk_today()
        db.session.add_all(
            [
                Spell(member_id=child, kind="cp_plan", start_date=today, source="social_care"),
                Event(member_id=child, kind="missing_episode", date=today, source="police"),
                Screening(
                    family_id=family.id, kind="cse", member_id=child, completed_on=today, outcome="already_known"
                ),
            ]
        )
        db.session.commit()
    paths = ["/", "/families/", "/families/F880002", "/families/F880002/caf"]
    sign_in(a11y_page, worker.email)
    expect(a11y_page.locator(".tff-flagged-families")).to_contain_text("F880002")
    found = check_pages(a11y_page, paths)
    a11y_page.get_by_role("button", name="Sign out").click()
    sign_in(a11y_page, coordinator.email)
    expect(a11y_page.locator(".tff-flagged-families")).to_contain_text("Lena Worker")
    found += check_pages(a11y_page, ["/", "/families/caseloads"])
    assert found == [], "\n".join(found)
