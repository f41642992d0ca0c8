"""Need to know in Chromium: a finance officer opening a family's case note is stopped, breaks the
glass with a reason, reads the note, and the administrator finds the reason listed."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.test_claims import sign_out
from tests.browser.test_journeys import heading, sign_in
from tff.auth.models import User
from tff.cases.models import Family
from tff.cases.progress.operations import add_note
from tff.extensions import db

pytestmark = pytest.mark.browser


def test_a_finance_officer_is_refused_a_case_note_and_breaks_the_glass(page, live):
    worker = live.make.user("lead_worker", name="Lee Worker")
    family = live.make.family("F001", lead_worker_id=worker.id, status="attached", attached_on=date(2013, 1, 10))
    with live.app.app_context():
        by = db.session.get(User, worker.id)
        note = add_note(db.session.get(Family, family.id), by, date(2013, 2, 1), "visit", "Rent arrears cleared", None)
        note_id = note.id
    finance = live.make.user("finance", name="Fran Finance")
    admin = live.make.user("admin", name="Ada Admin")

    sign_in(page, finance.email)
    page.goto("/families/F001")
    expect(page.get_by_role("link", name="Notes (needs a reason)")).to_be_visible()
    page.get_by_role("link", name="Notes (needs a reason)").click()
    expect(heading(page, "Your role does not read this part of the family’s record")).to_be_visible()
    page.get_by_label("Why do you need to open it?").fill("The housing team's court hearing asks for the visit notes")
    page.get_by_role("button", name="Open it and log my reason").click()
    expect(page.get_by_text("Lee Worker")).to_be_visible()
    page.goto(f"/families/F001/notes/{note_id}")
    expect(page.get_by_text("Rent arrears cleared")).to_be_visible()
    sign_out(page)

    sign_in(page, admin.email)
    page.goto("/admin/access")
    expect(heading(page, "What each role reads of a family")).to_be_visible()
    broken = page.locator(".tff-glass-broken tbody tr").first
    expect(broken).to_contain_text("Fran Finance")
    expect(broken).to_contain_text("F001")
    expect(broken).to_contain_text("court hearing asks for the visit notes")
