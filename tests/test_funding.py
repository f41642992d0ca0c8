"""The funding dashboard: attachment fees and results claimed against what is available, with
the totals moving when a claim is submitted; recording fees received; who may see it."""

import csv
import io
from datetime import date

import pytest

from tests.case_work import error_summary, text
from tests.helpers import sign_in, submit
from tests.test_outcomes_cli import _example_one
from tff.claims import operations as claims
from tff.outcomes import evaluation as evaluations


@pytest.fixture
def cohort(clean):
    """Two families attached in 2012/13 (fee £3,200; continuous employment £800), each with
    crime/ASB/education claimable at £700 as of 2013-07-31."""
    _example_one(clean, "F001")
    _example_one(clean, "F002")
    return clean


def _claim(app, submit_it: bool = True) -> None:
    with app.app_context():
        window = claims.create_window("2013-07", date(2013, 7, 31), sample_percent=0)
        assert claims.start_assembly(window, queue=False).state == "succeeded"
        if submit_it:
            claims.submit(window)
            claims.record_payment(window, 1000, date(2013, 9, 30))


def test_the_totals_move_when_a_claim_is_submitted(client, make, cohort):
    sign_in(client, make.user("manager").email)
    _claim(cohort, submit_it=False)
    before = text(client.get("/funding/"))
    assert "Families attached 2" in before
    assert "Attachment fees due £6,400" in before
    assert "Results claimed £0" in before  # a draft is not a claim
    assert "Available in all £8,000" in before
    with cohort.app_context():
        window = claims.get_window("2013-07")
        claims.submit(window)
        claims.record_payment(window, 1000, date(2013, 9, 30))
    after = client.get("/funding/")
    page = text(after)
    assert "Results claimed £1,400" in page
    assert "Drawn down £7,800 (97.5% of what is available)" in page
    assert "2013-07 2013-07-31 £1,400 £1,000 £400" in page  # claimed, paid, outstanding
    assert 'role="img"' in after.get_data(as_text=True)  # the trajectory, drawn on the server


def test_each_table_downloads_as_csv(client, make, cohort):
    _claim(cohort)
    sign_in(client, make.user("finance").email)
    response = client.get("/funding/windows.csv")
    assert response.status_code == 200
    assert "funding-windows.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [
        ["window", "as_of", "claimed", "paid", "outstanding"],
        ["2013-07", "2013-07-31", "1400", "1000", "400"],
    ]
    years = list(csv.reader(io.StringIO(client.get("/funding/years.csv").get_data(as_text=True))))
    assert years[1] == ["Phase one (2012)", "2012/13", "2", "6400", "0", "1400", "8000", "7800"]
    assert client.get("/funding/nothing.csv").status_code == 404


def test_finance_records_fees_received(client, make, cohort):
    sign_in(client, make.user("finance").email)
    bad = submit(client, "/funding/fees/new", {"programme": "", "financial_year": "2012/14", "amount": "-5"})
    summary = error_summary(bad)
    assert "Choose the programme" in summary and "like 2013/14" in summary and "whole pounds" in summary
    good = submit(
        client,
        "/funding/fees/new",
        {"programme": "phase1", "financial_year": "2012/13", "amount": "6400", "received_on": ["30", "4", "2013"]},
    )
    assert good.status_code == 302
    assert "Attachment fees due £6,400 (£6,400 received)" in text(client.get("/funding/"))


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("finance", 200), ("admin", 200), ("coordinator", 403), ("lead_worker", 403), ("auditor", 403)],
)
def test_who_may_see_the_money(client, make, clean, role, status):
    sign_in(client, make.user(role).email)
    assert client.get("/funding/").status_code == status
    assert client.get("/funding/years.csv").status_code == status
    home = text(client.get("/"))
    assert ("Funding" in home) == (status == 200)


def test_the_trajectory_forecasts_from_the_latest_near_misses(client, make, cohort):
    _claim(cohort)
    _example_one(cohort, "F003")  # not claimed yet
    with cohort.app_context():
        # As of March 2013 F003 is one term short of crime/ASB/education: a near miss worth £700.
        evaluation = evaluations.create(date(2013, 3, 31))
        assert evaluations.start_evaluation(evaluation, queue=False).state == "succeeded"
    sign_in(client, make.user("manager").email)
    html = client.get("/funding/").get_data(as_text=True)
    assert "Forecast from the near misses" in html
    assert "Near misses as of 2013-03-31" in html
    assert "£2,100" in html  # £1,400 claimed, and £700 nearly in reach
