"""An administrator answers a subject access request in the browser: finds the person by name
and date of birth, sees what is held, and downloads the one file; the pages pass axe-core."""

import io
import json
import zipfile
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import axe_violations
from tests.browser.test_families import fill_date
from tests.browser.test_journeys import heading, sign_in
from tests.case_work import member
from tff.cases.progress.models import CaseNote
from tff.evidence.models import Event
from tff.extensions import db

pytestmark = pytest.mark.browser


def _family(live):
    family = live.make.family("F-SAR", status="attached", attached_on=date(2013, 1, 10))
    jade = member(live.app, family.id, "Jade", "Smith", date(2001, 3, 4), relationship="child", ref="P-JADE")
    member(live.app, family.id, "Karen", "Smith", date(1980, 5, 6), ref="P-MUM")
    with live.app.app_context():
        db.session.add_all(
            [
                Event(member_id=jade, kind="asb", date=date(2013, 6, 1), source="police", reference="ASB-77"),
                CaseNote(family_id=family.id, contact_on=date(2013, 6, 2), kind="visit", facts="Jade was at home"),
            ]
        )
        db.session.commit()


def test_an_administrator_exports_everything_held_about_a_person(page, live):
    _family(live)
    admin = live.make.user("admin", name="Ada Admin")
    sign_in(page, admin.email)
    page.get_by_role("link", name="Subject access: everything held about a person").click()
    expect(heading(page, "Subject access: find a person")).to_be_visible()

    page.get_by_role("button", name="Find the person").click()
    expect(page.locator(".govuk-error-summary").get_by_text("Enter a person reference, or a name")).to_be_visible()

    page.get_by_label("Or their name").fill("smith")
    fill_date(page, "Date of birth", 4, 3, 2001)
    page.get_by_role("button", name="Find the person").click()
    results = page.locator(".tff-subject-access-results")
    expect(results).to_contain_text("P-JADE")
    expect(results).not_to_contain_text("P-MUM")
    results.get_by_role("link", name="Jade Smith").click()

    expect(heading(page, "Jade Smith")).to_be_visible()
    expect(page.get_by_role("row", name="Events (offences, exclusions, ...) 1")).to_be_visible()
    expect(page.get_by_role("row", name="The family's case notes 1")).to_be_visible()
    with page.expect_download() as started:
        page.get_by_role("button", name="Export everything held about this person").click()
    download = started.value
    assert download.suggested_filename == "subject-access-P-JADE.zip"
    archive = zipfile.ZipFile(io.BytesIO(download.path().read_bytes()))
    held = json.loads(archive.read("person.json"))
    assert held["person"]["first_name"] == "Jade"
    assert [e["reference"] for e in held["evidence"]["events"]] == ["ASB-77"]
    assert "README.txt" in archive.namelist()

    page.goto("/audit")
    expect(page.get_by_text("Exported everything held about P-JADE").first).to_be_visible()
    # Chromium logs the empty search's 400 (its error state) as a console error: expected here.
    page.console_errors[:] = [e for e in page.console_errors if "subject-access?person_ref=&name=&" not in e]


def test_the_subject_access_pages_are_accessible(a11y_page, live):
    _family(live)
    admin = live.make.user("admin")
    sign_in(a11y_page, admin.email)
    found = []
    for path in (
        "/privacy/subject-access",
        "/privacy/subject-access?name=Jade",
        "/privacy/subject-access?name=",
        "/privacy/subject-access/P-JADE",
    ):
        a11y_page.goto(path)
        found += axe_violations(a11y_page)
    assert not found, "\n".join(found)
    # Chromium logs the empty search's 400 (its error state) as a console error: expected here.
    a11y_page.console_errors[:] = [e for e in a11y_page.console_errors if "?name=:" not in e]
