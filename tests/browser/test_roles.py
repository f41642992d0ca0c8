"""The journeys of each role that the other browser tests leave out, one short test each:
importing a file and reading its result, working the unmatched queue, evidence and verified
outcomes recorded by a lead worker, a manager's approval, a finance officer excluding a claim
line, an auditor reading the audit trail and an administrator changing a setting."""

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.test_families import fill_date
from tests.browser.test_journeys import heading, sign_in
from tests.case_work import member
from tests.imports_support import cohort, events_csv, run_import
from tests.test_outcomes_cli import _example_one
from tff.auth.models import User
from tff.cases import operations as cases
from tff.cases.models import Family
from tff.claims import operations as claims
from tff.extensions import db
from tff.imports import views as import_views
from tff.outcomes.plan_versions.operations import store_shipped
from tff.outcomes.plans import default_plans
from tff.outcomes.verified import operations as verified

pytestmark = pytest.mark.browser


@pytest.fixture
def imported_here(monkeypatch):
    """No worker runs beside the live server: the import runs in the request, through the real
    job machinery, as `flask import` runs it."""
    real_start = import_views.start_import
    monkeypatch.setattr(import_views, "start_import", lambda run, user=None, **kw: real_start(run, user, queue=False))


def test_a_coordinator_imports_a_file_and_reads_its_result(page, live, imported_here):
    cohort(live.app)
    sign_in(page, live.make.user("coordinator").email)
    page.get_by_role("link", name="Imports").first.click()
    page.get_by_role("button", name="Import a file").click()
    expect(heading(page, "Import a file")).to_be_visible()
    data = events_csv(
        {"person_ref": "F001-03", "kind": "asb", "date": "2013-04-01", "source": "police"},
        {"person_ref": "X-9", "kind": "asb", "date": "2013-04-02", "source": "police"},
        {"person_ref": "F001-03", "kind": "asb", "date": "not a date", "source": "police"},
    )
    page.get_by_label("What the file holds").select_option("events")
    page.get_by_label("The CSV file").set_input_files(
        files=[{"name": "police.csv", "mimeType": "text/csv", "buffer": data}]
    )
    page.get_by_role("button", name="Import the file").click()

    expect(page.locator('[data-count="accepted"]')).to_have_text("1")
    expect(page.locator('[data-count="unmatched"]')).to_have_text("1")
    expect(page.locator("main")).to_contain_text("police.csv")
    expect(page.locator("[data-held-total]")).to_contain_text("1 row of this file matched no member")
    page.get_by_role("link", name="See the unmatched row of this import").click()
    expect(heading(page, "Unmatched evidence")).to_be_visible()
    expect(page.locator("main")).to_contain_text("person_ref X-9")


def test_a_coordinator_attaches_a_held_row_and_dismisses_another(page, live):
    cohort(live.app)
    held = events_csv(
        {
            "first_name": "Zoe",
            "last_name": "Browne",
            "date_of_birth": "2007-03-04",
            "kind": "asb",
            "date": "2013-04-01",
        },
        {"person_ref": "X-1", "kind": "offence", "date": "2013-04-02", "source": "police"},
    )
    assert run_import(live.app, "events", held, filename="police.csv").unmatched == 2
    sign_in(page, live.make.user("coordinator").email)
    page.get_by_role("link", name="Unmatched evidence").first.click()
    expect(heading(page, "Unmatched evidence")).to_be_visible()

    page.get_by_role("link", name="Line 2", exact=False).first.click()
    expect(heading(page, "Line 2 of police.csv")).to_be_visible()
    page.get_by_role("button", name="Attach to F001-03").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Line 2 of police.csv was attached to member F001-03"
    )

    page.get_by_role("link", name="Line 3", exact=False).first.click()
    page.get_by_label("Why is the row dismissed?").fill("Not one of our families")
    page.get_by_role("button", name="Dismiss the row").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Line 3 of police.csv was dismissed")
    page.get_by_label("State").select_option("open")
    page.get_by_role("button", name="Filter", exact=False).click()
    expect(page.get_by_role("link", name="Line 2", exact=False)).to_have_count(0)
    expect(page.get_by_role("link", name="Line 3", exact=False)).to_have_count(0)


@pytest.fixture
def worker_family(live):
    """F200, attached and led by a lead worker, with Dana Hill in it; the lead worker."""
    worker = live.make.user("lead_worker", name="Lee Worker")
    made = live.make.family("F200", status="attached", attached_on=date(2024, 9, 2), lead_worker_id=worker.id)
    member(live.app, made.id, "Dana", "Hill", date(1985, 6, 1), ref="F200-01")
    return worker


def test_a_lead_worker_records_evidence_by_hand(page, live, worker_family):
    sign_in(page, worker_family.email)
    page.get_by_role("link", name="Families", exact=True).click()
    page.get_by_role("link", name="F200").click()
    page.get_by_role("navigation", name="Sections of the case").get_by_role("link", name="Evidence").click()
    page.get_by_role("button", name="Record an event").click()
    page.get_by_label("Dana Hill (F200-01)").check()
    page.get_by_label("Kind of event").select_option("asb")
    fill_date(page, "Date of the event", 2, 2, 2025)
    page.get_by_label("Detail").fill("Reported by a neighbour")
    page.get_by_role("button", name="Save the event").click()

    expect(page.locator(".govuk-notification-banner")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Reported by a neighbour")
    expect(row).to_contain_text("2 Feb 2025")


def _measured_by_the_supporting_families_plan(live) -> str:
    """F200 made a Supporting Families family, with the shipped plans adopted; the title its
    plan gives the outcome `engaged_with_health_service`."""
    with live.app.app_context():
        store_shipped(None)
        db.session.scalar(select(Family).where(Family.reference == "F200")).programme = "supporting_families"
        db.session.commit()
        [plan] = [p for p in default_plans() if p.framework == "supporting_families"]
        return f"{plan.problem('health').title}: engaged with health service"


def test_a_lead_worker_records_a_verified_outcome(page, live, worker_family):
    title = _measured_by_the_supporting_families_plan(live)
    sign_in(page, worker_family.email)
    page.goto("/families/F200")
    page.get_by_role("navigation", name="Sections of the case").get_by_role("link", name="Verified outcomes").click()
    page.get_by_role("button", name="Record a verified outcome").click()
    page.get_by_label(title, exact=True).check()
    fill_date(page, "Date the outcome was achieved", 10, 2, 2025)
    page.get_by_label("Evidence").fill("Attendance letter from the clinic, 10 Feb 2025")
    page.get_by_role("button", name="Record the outcome").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The outcome has been recorded for a manager to approve"
    )
    outcome = page.locator(".tff-verified-outcome").filter(has_text=title)
    expect(outcome.get_by_role("heading")).to_have_text(title)
    expect(outcome.locator(".govuk-tag")).to_have_text("Awaiting approval")
    expect(outcome).to_contain_text("By Lee Worker")


def test_a_manager_approves_a_verified_outcome(page, live, worker_family):
    title = _measured_by_the_supporting_families_plan(live)
    with live.app.app_context():
        family = db.session.scalar(select(Family).where(Family.reference == "F200"))
        worker = db.session.get(User, worker_family.id)
        verified.record(family, worker, "engaged_with_health_service", "GP's letter", date(2025, 2, 1))
    sign_in(page, live.make.user("manager").email)
    page.get_by_role("link", name="Verified outcomes").first.click()
    expect(heading(page, "Verified outcomes to decide")).to_be_visible()
    page.get_by_role("link", name=f"Approve {title}, family F200").click()
    page.get_by_label("Decision note").fill("Letter seen")
    page.get_by_role("button", name="Approve", exact=False).click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"The outcome {title} has been approved")
    page.goto("/verified-outcomes")
    expect(page.get_by_role("link", name="F200")).to_have_count(0)
    page.goto("/families/F200/verified-outcomes")
    outcome = page.locator(".tff-verified-outcome").filter(has_text=title)
    expect(outcome.locator(".govuk-tag")).to_have_text("Approved")
    expect(outcome).to_contain_text("Letter seen")


def test_a_finance_officer_excludes_a_claim_line(page, live):
    _example_one(live.app, "F001")
    _example_one(live.app, "F002")
    with live.app.app_context():
        window = claims.create_window("2013-07", date(2013, 7, 31), sample_percent=0)
        claims.start_assembly(window, queue=False)
    sign_in(page, live.make.user("finance").email)
    page.get_by_role("link", name="Claims").first.click()
    page.get_by_role("link", name="2013-07").click()
    expect(page.locator("[data-lines]")).to_contain_text("2 lines: 2 included, £1,400")
    page.get_by_role("link", name="F002 Crime, anti-social behaviour and education").click()
    page.get_by_label("Why is the line excluded?").fill("Family moved out of the area before the result")
    page.get_by_role("button", name="Exclude the line").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text("F002 crime_asb_education excluded")
    expect(page.locator("main")).to_contain_text("Family moved out of the area before the result")
    page.get_by_role("link", name="Claim for 2013-07").click()
    expect(page.locator("[data-lines]")).to_contain_text("1 included, £700")


def test_an_auditor_reads_the_audit_trail_of_one_family(page, live):
    coordinator = live.make.user("coordinator", name="Cara Coordinator")
    other = live.make.family("F301")
    with live.app.app_context():
        by = db.session.get(User, coordinator.id)
        cases.attach(db.session.get(Family, other.id), date(2024, 9, 2), by, override="Agreed at the panel")
        family = cases.identify_family("F300", "phase2", date(2024, 9, 1), db.session.get(User, coordinator.id))
        cases.attach(family, date(2024, 9, 3), by, override="Agreed at the panel")
    sign_in(page, live.make.user("auditor").email)
    page.get_by_role("link", name="Audit trail").first.click()
    expect(heading(page, "Audit trail")).to_be_visible()
    page.get_by_label("Record id or reference").fill("F300")
    page.get_by_role("button", name="Filter").click()

    rows = page.locator(".tff-audit tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(coordinator.email)
    expect(page.locator(".tff-audit")).not_to_contain_text("F301")


def test_an_administrator_changes_the_out_of_work_benefits(page, live):
    sign_in(page, live.make.user("admin").email)
    page.get_by_role("link", name="Evidence settings").first.click()
    expect(heading(page, "Evidence settings")).to_be_visible()
    page.get_by_role("link", name="Change the out-of-work benefits").click()
    page.get_by_label("Out-of-work benefit codes").fill("JSA, ESA, UC")
    page.get_by_role("button", name="Save the benefit list").click()

    expect(heading(page, "Evidence settings")).to_be_visible()
    expect(page.locator("main")).to_contain_text("ESA, JSA, UC")
