"""The claims pages: a finance officer prepares a window's claim, internal audit checks its
sample, the claim is submitted, exported and paid; every change is a CSRF-checked form and
every refusal is shown on the page."""

import csv
import io
import itertools
import re

import pytest

from tests.helpers import Maker, sign_in, submit
from tests.test_outcomes_cli import _example_one
from tff.claims import operations
from tff.claims.models import ClaimLine
from tff.extensions import db
from tff.jobs.models import SUCCEEDED


@pytest.fixture
def claimable(clean, monkeypatch):
    """F001, F002 and a family whose reference looks like a formula each have a claimable
    crime/ASB/education result (£700) as of 2013-07-31. No worker here: the assembly runs in
    the request, as the command line runs it."""
    for reference in ("F001", "F002", "=SUM(A1)"):
        _example_one(clean, reference)
    real_start = operations.start_assembly

    def in_process(window, user=None, **kwargs):
        job = real_start(window, user, queue=False)
        assert job.state == SUCCEEDED, job.message
        return job

    monkeypatch.setattr(operations, "start_assembly", in_process)
    return clean


_people = itertools.count(1)


def _signed_in(app, role):
    client = app.test_client()
    sign_in(client, Maker(app).user(role, email=f"{role}.{next(_people)}@example.org").email)
    return client


def _create(client, name="2013-07", sample="100"):
    response = submit(
        client,
        "/claims/new",
        {
            "name": name,
            "as_of": ["31", "7", "2013"],
            "opens": ["1", "7", "2013"],
            "closes": ["31", "8", "2013"],
            "sample_percent": sample,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def _submit(client, window_url):
    """Submit the claim from its check-your-answers page, as its button does."""
    url = f"{window_url}/submit"
    return submit(client, url, {"confirmed": "checked"}, form_url=url)


def _line_id(app, ref):
    with app.app_context():
        return db.session.scalar(db.select(ClaimLine.id).where(ClaimLine.family_ref == ref))


def test_a_window_from_creation_to_payment(claimable):
    app = claimable
    finance = _signed_in(app, "finance")
    window_url = _create(finance)
    page = finance.get(window_url).get_data(as_text=True)
    assert "Claim for 2013-07" in page and 'data-window-state="open"' in page

    # Submitting before assembly is refused, on the page, as an error.
    response = _submit(finance, window_url)
    assert response.status_code == 200
    assert "govuk-error-summary" in response.get_data(as_text=True)
    assert "has not been assembled yet" in response.get_data(as_text=True)

    response = submit(finance, f"{window_url}/assemble", {}, form_url=window_url)
    assert response.status_code == 302
    page = finance.get(window_url).get_data(as_text=True)
    assert 'data-window-state="draft assembled"' in page
    assert 'data-lines="3"' in page and "£2,100" in page

    # Exclude a line with its reason, then include it again.
    line_url = f"{window_url}/lines/{_line_id(app, 'F002')}"
    line_page = finance.get(line_url).get_data(as_text=True)
    assert "5 -&gt; 1" in line_page  # the frozen evidence
    response = submit(finance, f"{line_url}/review", {"reason": ""}, form_url=line_url)
    assert response.status_code == 200 and "Say why" in response.get_data(as_text=True)
    response = submit(finance, f"{line_url}/review", {"reason": "Duplicate of a 2013-01 claim"}, form_url=line_url)
    assert response.status_code == 302
    line_page = finance.get(line_url).get_data(as_text=True)
    assert 'data-line-status="excluded"' in line_page and "Duplicate of a 2013-01 claim" in line_page
    assert 'data-total="claimed">£1,400' in finance.get(window_url).get_data(as_text=True)
    response = submit(finance, f"{line_url}/review", {"reason": "Checked: not claimed before"}, form_url=line_url)
    assert response.status_code == 302
    assert 'data-line-status="included"' in finance.get(line_url).get_data(as_text=True)

    # The sample: all three lines (100%); submission waits for internal audit.
    assert submit(finance, f"{window_url}/sample", {}, form_url=window_url).status_code == 302
    page = finance.get(window_url).get_data(as_text=True)
    assert 'data-window-state="sampled"' in page and 'data-sample-left="3"' in page
    response = _submit(finance, window_url)
    assert "3 sampled lines still to check" in response.get_data(as_text=True)
    # A finance officer cannot check the sample.
    sampled_url = f"{window_url}/lines/{_line_id(app, 'F001')}"
    assert (
        submit(finance, f"{sampled_url}/audit", {"note": "x", "verify": "y"}, form_url=sampled_url).status_code == 403
    )

    auditor = _signed_in(app, "auditor")
    for ref in ("F001", "F002"):
        url = f"{window_url}/lines/{_line_id(app, ref)}"
        response = submit(
            auditor, f"{url}/audit", {"note": "School and police records seen", "verify": "Verify"}, form_url=url
        )
        assert response.status_code == 302
    url = f"{window_url}/lines/{_line_id(app, '=SUM(A1)')}"
    response = submit(auditor, f"{url}/audit", {"note": "", "reject": "Reject"}, form_url=url)
    assert response.status_code == 200 and "Add a note saying what was checked" in response.get_data(as_text=True)
    response = submit(auditor, f"{url}/audit", {"note": "Attendance not evidenced", "reject": "Reject"}, form_url=url)
    assert response.status_code == 302
    assert 'data-line-status="rejected"' in auditor.get(url).get_data(as_text=True)
    # The auditor reads the window but may not prepare it.
    page = auditor.get(window_url)
    assert page.status_code == 200 and "Submit the claim" not in page.get_data(as_text=True)
    assert submit(auditor, f"{window_url}/submit", {}, form_url=window_url).status_code == 403

    assert _submit(finance, window_url).status_code == 302
    page = finance.get(window_url).get_data(as_text=True)
    assert 'data-window-state="submitted"' in page and "Finance " in page
    # Submitted: the lines never change, and the page says so instead of failing.
    response = submit(finance, f"{line_url}/review", {"reason": "Too late"}, form_url=window_url)
    assert response.status_code == 200 and "has been submitted" in response.get_data(as_text=True)

    # Exports: the contract's headers; the formula-like reference is neutralised.
    lines = finance.get(f"{window_url}/lines.csv")
    assert lines.status_code == 200
    assert "attachment" in lines.headers["Content-Disposition"]
    assert "filename=claim-2013-07-lines.csv" in lines.headers["Content-Disposition"]
    text = lines.get_data(as_text=True)
    assert text.splitlines()[0] == "window,family_ref,outcome,attachment_year,amount,status"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["family_ref"] for row in rows} == {"F001", "F002", "'=SUM(A1)"}
    assert {row["family_ref"]: row["status"] for row in rows}["'=SUM(A1)"] == "excluded"
    summary = finance.get(f"{window_url}/summary.csv").get_data(as_text=True)
    assert summary.splitlines() == [
        "window,outcome,attachment_year,families,amount",
        "2013-07,crime_asb_education,2012/13,2,1400",
    ]
    schedule = finance.get(f"{window_url}/schedule").get_data(as_text=True)
    assert 'data-total="amount"><strong>£1,400' in schedule and "Checked by (internal audit)" in schedule

    # A payment: bad input is explained; then claimed against paid on the page and the list.
    response = submit(finance, f"{window_url}/payments", {"amount": "0", "paid_on": ["", "", ""]}, form_url=window_url)
    assert response.status_code == 200
    assert "The amount paid must be more than 0" in response.get_data(as_text=True)
    assert "Enter the date it was paid" in response.get_data(as_text=True)
    response = submit(
        finance,
        f"{window_url}/payments",
        {"amount": "1000", "paid_on": ["30", "9", "2013"], "note": "First instalment"},
        form_url=window_url,
    )
    assert response.status_code == 302
    page = finance.get(window_url).get_data(as_text=True)
    assert 'data-window-state="paid"' in page and "First instalment" in page
    assert "Claimed £1,400, paid £1,000, £400 still to be paid" in page
    listing = finance.get("/claims/").get_data(as_text=True)
    assert re.search(r"data-claimed>£1,400</td>\s*<td[^>]*data-paid>£1,000", listing)


def test_a_bad_window_is_explained_and_nothing_is_made(claimable):
    finance = _signed_in(claimable, "finance")
    _create(finance)
    response = submit(
        finance,
        "/claims/new",
        {"name": "2013-07", "as_of": ["31", "7", "2013"], "sample_percent": "10"},
    )
    assert response.status_code == 200 and "There is a claim window named 2013-07 already" in response.get_data(
        as_text=True
    )
    response = submit(
        finance,
        "/claims/new",
        {
            "name": "2013-08",
            "as_of": ["31", "2", "2013"],
            "sample_percent": "101",
            "opens": ["2", "8", "2013"],
            "closes": ["1", "8", "2013"],
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "must be a real date" in page and "from 0 to 100" in page and "must be the same as or after" in page
    with claimable.app_context():
        assert [w.name for w in db.session.scalars(db.select(operations.ClaimWindow))] == ["2013-07"]


def test_a_post_without_its_csrf_token_is_refused(claimable):
    finance = _signed_in(claimable, "finance")
    window_url = _create(finance)
    assert finance.post(f"{window_url}/assemble", data={}).status_code == 400


@pytest.mark.parametrize(
    ("role", "reads", "prepares"),
    [
        ("finance", 200, True),
        ("admin", 200, True),
        ("manager", 200, False),
        ("auditor", 200, False),
        ("coordinator", 403, False),
        ("lead_worker", 403, False),
    ],
)
def test_who_may_read_and_prepare_claims(claimable, role, reads, prepares):
    finance = _signed_in(claimable, "finance")
    window_url = _create(finance)
    client = _signed_in(claimable, role)
    for url in (
        "/claims/",
        window_url,
        f"{window_url}/lines.csv",
        f"{window_url}/summary.csv",
        f"{window_url}/schedule",
    ):
        assert client.get(url).status_code == reads, url
    assert client.get("/claims/new").status_code == (200 if prepares else 403)
    if reads == 200:
        # Only the roles that prepare claims see (and may press) its buttons.
        page = client.get(window_url).get_data(as_text=True)
        assert ("Assemble the draft claim" in page) is prepares
        response = submit(client, f"{window_url}/assemble", {}, form_url=window_url)
        assert response.status_code == (302 if prepares else 403)
    nav = client.get("/").get_data(as_text=True)
    assert ('href="/claims/"' in nav) is (reads == 200)
