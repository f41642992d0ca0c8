"""Journeys through the real app in Chromium: what a person sees, with the page's own script running.

Every test here also fails on any browser console error (see conftest.py), so each page it
visits is checked for CSP violations, missing assets and script errors.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from tests.helpers import PASSWORD
from tff.auth.roles import ROLES
from tff.extensions import db
from tff.jobs.models import Job
from tff.jobs.operations import STALE_MESSAGE
from tff.timeutil import utcnow

pytestmark = pytest.mark.browser


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form, as a person does."""
    if not re.search(r"/login(\?|$)", page.url):
        page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def heading(page, text: str):
    return page.get_by_role("heading", level=1, name=text, exact=True)


def add_job(app, **values) -> int:
    values = {
        "kind": "attendance.import",
        "title": "Import attendance",
        "state": "running",
        "done": 10,
        "total": 100,
        "unit": "rows",
        "started_by_id": None,
        "started_at": utcnow(),
        "heartbeat_at": utcnow(),
        **values,
    }
    with app.app_context():
        job = Job(**values)
        db.session.add(job)
        db.session.commit()
        return job.id


def change_job(app, job_id: int, **values) -> None:
    with app.app_context():
        db.session.execute(update(Job).where(Job.id == job_id).values(**values))
        db.session.commit()


def test_a_coordinator_signs_in(page, live):
    user = live.make.user("coordinator")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))
    expect(heading(page, "Sign in to Families for Change")).to_be_visible()
    sign_in(page, user.email)

    expect(page).to_have_url(f"{live.url}/")
    expect(heading(page, "Families for Change")).to_be_visible()
    expect(page.locator("main")).to_contain_text(ROLES["coordinator"])
    expect(page.get_by_role("banner")).to_contain_text(f"({ROLES['coordinator']})")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_wrong_password_shows_the_error_summary(page, live):
    user = live.make.user("coordinator")

    sign_in(page, user.email, "not-the-password")

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    # GOV.UK Frontend's script moves focus to the summary, so a screen reader announces it...
    expect(summary).to_be_focused()
    # ...and its link takes the person to the field with the problem.
    summary.get_by_role("link", name="The email address or password is not right").click()
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    expect(page.locator("#password-error")).to_contain_text("The email address or password is not right")
    # Still not signed in.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_the_job_page_follows_a_running_job_without_reloading(page, live):
    user = live.make.user("coordinator")
    job_id = add_job(live.app, started_by_id=user.id)
    sign_in(page, user.email)
    expect(heading(page, "Families for Change")).to_be_visible()

    page.goto(f"/jobs/{job_id}")
    expect(heading(page, "Import attendance")).to_be_visible()
    state = page.locator(".tff-job-state")
    expect(state).to_have_text("Running")
    expect(page.locator(".tff-job__figures")).to_have_text("10 of 100 rows (10%)")
    page.evaluate("window.__marker = 1")

    change_job(live.app, job_id, done=60, message="Checking rows", heartbeat_at=utcnow())
    expect(page.get_by_text("60 of 100 rows (60%)")).to_be_visible()
    expect(page.get_by_text("Checking rows")).to_be_visible()
    expect(page.locator("progress")).to_have_attribute("value", "60")
    assert page.evaluate("window.__marker") == 1, "the page reloaded to show progress"

    # When the job ends the page reloads itself once, to show the result the server draws.
    with page.expect_event("load"):
        change_job(
            live.app,
            job_id,
            state="succeeded",
            done=100,
            message="Finished",
            result={"accepted": 100},
            finished_at=utcnow(),
            heartbeat_at=utcnow(),
        )
    expect(state).to_have_text("Finished")
    assert page.evaluate("window.__marker") is None, "the page did not reload when the job ended"
    result = page.locator(".tff-job__result")
    expect(result.get_by_role("heading", name="Result")).to_be_visible()
    row = result.locator(".govuk-summary-list__row")
    expect(row.locator("dt")).to_have_text("Accepted")
    expect(row.locator("dd")).to_have_text("100")
    expect(page.locator(".tff-job__figures")).to_have_text("100 of 100 rows (100%)")
    # Finished: no more polling, so no more reloads.
    page.evaluate("window.__marker = 2")
    page.wait_for_timeout(1500)
    assert page.evaluate("window.__marker") == 2


def test_a_job_whose_worker_died_shows_as_failed(page, live):
    user = live.make.user("coordinator")
    an_hour_ago = utcnow() - timedelta(hours=1)
    job_id = add_job(
        live.app, started_by_id=user.id, created_at=an_hour_ago, started_at=an_hour_ago, heartbeat_at=an_hour_ago
    )
    sign_in(page, user.email)
    expect(heading(page, "Families for Change")).to_be_visible()

    page.goto(f"/jobs/{job_id}")
    expect(heading(page, "Import attendance")).to_be_visible()
    expect(page.locator(".tff-job-state")).to_have_text("Failed")
    expect(page.locator(".tff-job-state")).to_have_class(re.compile(r"\bgovuk-tag--red\b"))
    expect(page.locator(".tff-job__message")).to_have_text(STALE_MESSAGE)
    expect(page.get_by_text("stopped responding")).to_be_visible()


def test_signing_out(page, live):
    user = live.make.user("coordinator")
    sign_in(page, user.email)
    expect(heading(page, "Families for Change")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out")
    expect(heading(page, "Sign in to Families for Change")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))
    expect(page.get_by_text("Sign in to continue")).to_be_visible()


def test_an_administrator_adds_a_lead_worker_who_can_then_sign_in(page, live):
    admin = live.make.user("admin")
    sign_in(page, admin.email)
    expect(heading(page, "Administration")).to_be_visible()

    page.goto("/admin/users/new")
    expect(heading(page, "Add a user")).to_be_visible()
    page.get_by_label("Email address").fill("sam.jones@example.org")
    page.get_by_label("Full name").fill("Sam Jones")
    page.get_by_label("Lead worker").check()
    page.get_by_label("Password", exact=True).fill("a-long-enough-passphrase")
    page.get_by_role("button", name="Add user").click()

    expect(page).to_have_url(re.compile(r"/admin/users$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Sam Jones can now sign in as Lead worker")
    row = page.locator("tbody tr").filter(has_text="sam.jones@example.org")
    expect(row.locator("td")).to_have_text(
        ["Sam Jones", "sam.jones@example.org", "Lead worker", "Can sign in", "Never", re.compile("Change")]
    )

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out")).to_be_visible()
    sign_in(page, "sam.jones@example.org", "a-long-enough-passphrase")
    expect(heading(page, "Your families")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("Sam Jones (Lead worker)")
