"""A phase two family and a Supporting Families family in Chromium, from import to a submitted
claim: a manager adopts the shipped outcome plans, a coordinator imports the families (the
Supporting Families family's needs from that plan), their members and their evidence, the
lead worker records a verified outcome chosen from each family's plan and a manager approves
it, the coordinator closes the Supporting Families case and reads both families' results, and
a finance officer claims them in one window, each line naming its plan version.

Hand-worked: each family had 5 ASB incidents in the 6 months before attachment and none since,
no offences and no child protection or child in need plan. As of 31 March 2024:
- P201 (phase two, attached 3 June 2019; crime_asb and health): ASB 5 -> 0, and the health
  outcome approved: significant and sustained progress, £800 under rotherham-2015 v1.
- S301 (Supporting Families, attached 1 November 2022; children_safe, crime and housing): case
  closed 30 June 2023, so sustained 6 months after closure on 30 December 2023; the housing
  outcome approved: £800 under supporting-families-2022 v1.

The live server has no worker: imports and the assembly run in the request, through the real
job machinery (as the command line runs them)."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_claims import (
    assembled_here,  # noqa: F401 (a fixture the test uses)
    sign_out,
)
from tests.browser.test_families import fill_date
from tests.browser.test_journeys import heading, sign_in
from tff.imports import views as import_views

pytestmark = pytest.mark.browser

FAMILIES = """family_ref,programme,identified_on,attached_on,postcode,lead_worker_email,local_criteria,problems,\
outcome_plan
P201,phase2,2019-05-01,2019-06-03,S60 1AA,{worker},,crime_asb;health,
S301,supporting_families,2022-10-10,2022-11-01,S61 2BB,{worker},,children_safe;crime;housing,
"""
MEMBERS = """family_ref,person_ref,first_name,last_name,date_of_birth,sex,upn,nino,relationship
P201,P201-01,Dana,Booth,1985-02-10,F,,,mother
P201,P201-02,Kai,Booth,2010-05-01,M,,,child
S301,S301-01,Sam,Walker,1988-07-21,F,,,mother
S301,S301-02,Robin,Walker,2014-03-02,M,,,child
"""
ASB_BEFORE = {
    "P201-01": ["2018-12-10", "2019-01-15", "2019-02-20", "2019-03-25", "2019-05-01"],
    "S301-01": ["2022-05-10", "2022-06-15", "2022-07-20", "2022-08-25", "2022-10-01"],
}
EVENTS = "person_ref,kind,date,reference,source,detail\n" + "".join(
    f"{person},asb,{day},E-{person}-{n},asb_unit,\n"
    for person, days in ASB_BEFORE.items()
    for n, day in enumerate(days, start=1)
)


@pytest.fixture
def imported_here(monkeypatch):
    real_start = import_views.start_import
    monkeypatch.setattr(import_views, "start_import", lambda run, user=None: real_start(run, user=user, queue=False))


def import_file(page, kind: str, path, accepted: int) -> None:
    page.goto("/imports/new")
    page.get_by_label("What the file holds").select_option(kind)
    page.get_by_label("The CSV file").set_input_files(str(path))
    page.get_by_role("button", name="Import the file").click()
    expect(page.locator('[data-count="accepted"]')).to_have_text(str(accepted))
    expect(page.locator('[data-count="rejected"]')).to_have_text("0")


def record_outcome(page, reference: str, outcome: str, day: int, month: int, year: int) -> None:
    page.goto(f"/families/{reference}/verified-outcomes")
    page.get_by_role("button", name="Record a verified outcome").click()
    page.locator(f'input[name="code"][value="{outcome}"]').check()
    fill_date(page, "Date the outcome was achieved", day, month, year)
    page.get_by_label("Evidence").fill("Seen at the home visit, with the letter from the provider")
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.get_by_text("The outcome has been recorded for a manager to approve")).to_be_visible()


def approve_outcome(page, reference: str) -> None:
    page.goto(f"/families/{reference}/verified-outcomes")
    page.get_by_role("button", name="Approve").click()
    page.get_by_role("button", name="Approve the outcome").click()
    expect(page.get_by_text("has been approved")).to_be_visible()


def results_as_of(page, reference: str, as_of: str):
    page.goto(f"/families/{reference}")
    page.get_by_role("link", name="Results").last.click()
    page.get_by_label("As of").fill(as_of)
    page.get_by_role("button", name="Show results").click()
    return page.locator("#result-significant_sustained_progress")


def test_a_phase_two_and_a_supporting_families_family_from_import_to_a_submitted_claim(
    page,
    live,
    tmp_path,
    imported_here,
    assembled_here,  # noqa: F811
):
    manager = live.make.user("manager", name="Mo Manager")
    coordinator = live.make.user("coordinator", name="Cara Coordinator")
    worker = live.make.user("lead_worker", name="Lee Worker")
    finance = live.make.user("finance", name="Fran Finance")

    # The manager adopts the plans shipped with the product.
    sign_in(page, manager.email)
    page.get_by_role("link", name="Outcome plans").first.click()
    page.get_by_role("button", name="Store and adopt the plans shipped with the product").click()
    expect(page.get_by_text("Stored and adopted rotherham-2015 v1, supporting-families-2022 v1")).to_be_visible()
    sign_out(page)

    # The coordinator imports the families, their members and their evidence.
    files = {
        "families": FAMILIES.format(worker=worker.email),
        "members": MEMBERS,
        "events": EVENTS,
    }
    for kind, content in files.items():
        (tmp_path / f"{kind}.csv").write_text(content, encoding="utf-8")
    sign_in(page, coordinator.email)
    import_file(page, "families", tmp_path / "families.csv", 2)
    import_file(page, "members", tmp_path / "members.csv", 4)
    import_file(page, "events", tmp_path / "events.csv", 10)
    # The Supporting Families family's needs are titled as its plan titles them.
    page.goto("/families/S301")
    expect(page.get_by_role("rowheader", name="Secure housing")).to_be_visible()
    sign_out(page)

    # The lead worker records a verified outcome for each, chosen from the family's plan.
    sign_in(page, worker.email)
    page.goto("/families/S301/verified-outcomes/new")
    # Only the Supporting Families plan's outcomes are offered for its family.
    expect(page.locator('input[name="code"][value="housing_secure"]')).to_have_count(1)
    expect(page.locator('input[name="code"][value="safety_plan_in_place"]')).to_have_count(1)
    record_outcome(page, "P201", "engaged_with_health_service", 1, 11, 2019)
    record_outcome(page, "S301", "housing_secure", 15, 5, 2023)
    sign_out(page)

    sign_in(page, manager.email)
    approve_outcome(page, "P201")
    approve_outcome(page, "S301")
    sign_out(page)

    # The coordinator closes the Supporting Families case and reads both families' results.
    sign_in(page, coordinator.email)
    page.goto("/families/S301")
    page.get_by_role("button", name="Propose closing the case").click()
    fill_date(page, "Date closed", 30, 6, 2023)
    page.get_by_label("Outcomes achieved").check()
    page.get_by_role("button", name="Propose closing the case").click()
    # a manager signs the closure off (tests/browser/test_sign_off.py)
    sign_out(page)
    sign_in(page, manager.email)
    page.get_by_role("link", name="Approve closure of family S301").click()
    page.get_by_role("button", name="Approve").click()
    sign_out(page)
    sign_in(page, coordinator.email)
    page.goto("/families/S301")
    expect(heading(page, "Family S301 Closed")).to_be_visible()

    # A day short of 6 months after closure: not yet.
    card = results_as_of(page, "S301", "2023-12-29")
    expect(card).to_contain_text("Not met")
    expect(card).to_contain_text("progress sustained until 2023-12-30, 6 months after closure")
    card = results_as_of(page, "S301", "2024-03-31")
    expect(card).to_contain_text("Met")
    expect(card).to_contain_text("Claimable: £800")
    expect(card).to_contain_text("supporting-families-2022 v1")
    expect(card).to_contain_text("asb down at least 60% against the 6 months before attachment: 5 -> 0 (100%)")
    card = results_as_of(page, "P201", "2024-03-31")
    expect(card).to_contain_text("Met")
    expect(card).to_contain_text("Claimable: £800")
    expect(card).to_contain_text("rotherham-2015 v1")
    sign_out(page)

    # Finance claims both in one window, with no audit sample.
    sign_in(page, finance.email)
    page.get_by_role("link", name="Claims").first.click()
    page.get_by_role("button", name="Create a claim window").click()
    page.get_by_label("Name").fill("2024-03")
    fill_date(page, "Evidence up to", 31, 3, 2024)
    page.get_by_label("Audit sample (percent of the lines)").fill("0")
    page.get_by_role("button", name="Create the window").click()
    expect(heading(page, "Claim for 2024-03")).to_be_visible()
    page.get_by_role("button", name="Assemble the draft claim").click()
    expect(page.locator("[data-window-state]").first).to_have_text("Draft assembled")
    expect(page.locator("[data-lines]")).to_contain_text("2 lines: 2 included, £1,600")
    page.get_by_role("button", name="Submit the claim").click()
    expect(heading(page, "Check the claim before you submit it")).to_be_visible()
    page.get_by_role("button", name="Submit the claim").click()
    expect(page.locator("[data-window-state]").first).to_have_text("Submitted")

    phase_two = page.locator('[data-line="P201 significant_sustained_progress"]')
    expect(phase_two).to_contain_text("£800")
    expect(phase_two).to_contain_text("Rotherham Family Outcomes Plan 2015 (version 1)")
    supporting = page.locator('[data-line="S301 significant_sustained_progress"]')
    expect(supporting).to_contain_text("£800")
    expect(supporting).to_contain_text("Supporting Families Outcomes Framework 2022 (version 1)")
