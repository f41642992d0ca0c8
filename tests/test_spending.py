"""Spending profiled against income: finance records the spending plan (audited), each year's
lines are paid for from that year's money received (attachment fees and results paid, a
clawback counting against it), and what a line takes above that is shown as waiting on results
still to be claimed. Managers read it; lead workers do not see it."""

import csv
import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.case_work import audit_entries, error_summary, text
from tests.helpers import sign_in, submit
from tff.cases.models import Team
from tff.cases.referrals.models import Provider
from tff.claims.models import ClaimWindow, Payment
from tff.extensions import db
from tff.funding.models import AttachmentFeeReceipt
from tff.funding.spending import SpendingLine, left_in_words, profile, received_by_year

NEW = "/funding/spending/new"
PAGE = "/funding/spending"


def _fees(app, year: str, amount: int, programme: str = "phase1") -> None:
    with app.app_context():
        db.session.add(
            AttachmentFeeReceipt(programme=programme, financial_year=year, amount=amount, received_on=date(2013, 4, 30))
        )
        db.session.commit()


def _payments(app, *payments: tuple[int, date]) -> None:
    """Results paid against one window: (amount, paid on); a negative amount is a reversal or
    a spot check's clawback."""
    with app.app_context():
        window = ClaimWindow(name="2013-07", as_of=date(2013, 7, 31))
        db.session.add(window)
        db.session.flush()
        db.session.add_all([Payment(window_id=window.id, amount=a, paid_on=on) for a, on in payments])
        db.session.commit()


def _team_and_provider(app) -> tuple[int, int]:
    with app.app_context():
        team, provider = Team(name="Families for Change"), Provider(name="YWCA", service_type="family_support")
        db.session.add_all([team, provider])
        db.session.commit()
        return team.id, provider.id


def _line(name, year, amount, pays_for="other", **values) -> dict:
    data = {"name": name, "financial_year": year, "amount": amount, "pays_for": pays_for}
    if pays_for == "other":
        data.setdefault("description", values.pop("description", name))
    return {**data, **values}


def _add(client, data: dict):
    response = submit(client, NEW, data)
    assert response.status_code == 302, error_summary(response)
    return response


def _line_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(SpendingLine.id).where(SpendingLine.name == name))


def _csv(client, name: str) -> list[list[str]]:
    response = client.get(f"{PAGE}/{name}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert f"spending-{name}.csv" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


# --- adding, changing and removing lines, audited -----------------------------------------------


def test_finance_adds_changes_and_removes_a_line_each_audited(client, make, clean):
    team_id, provider_id = _team_and_provider(clean)
    officer = make.user("finance")
    sign_in(client, officer.email)
    _add(client, _line("Family support", "2013/14", "£77,000", "provider", provider_id=str(provider_id)))
    line_id = _line_id(clean, "Family support")
    page = text(client.get(PAGE))
    assert "Family support 2013/14 £77,000 Provider: YWCA" in page
    [(summary, before, after, by)] = audit_entries(clean, "spending_line.add", str(line_id))
    assert "Family support" in summary and "£77,000" in summary
    assert before is None and after["amount"] == 77000 and after["provider_id"] == provider_id and by == officer.id

    changed = submit(
        client,
        f"{PAGE}/{line_id}",
        _line("Staffing", "2014/15", "80000", "team", team_id=str(team_id), provider_id=str(provider_id)),
    )
    assert changed.status_code == 302
    with clean.app_context():
        line = db.session.get(SpendingLine, line_id)
        assert (line.name, line.financial_year, line.amount, line.pays_for) == ("Staffing", "2014/15", 80000, "team")
        assert line.team_id == team_id and line.provider_id is None  # a team's line names no provider
        assert line.updated_by_id == officer.id and line.created_by_id == officer.id
    [(_, before, after, _)] = audit_entries(clean, "spending_line.change", str(line_id))
    assert before["amount"] == 77000 and after["amount"] == 80000
    assert before["pays_for"] == "provider" and after["pays_for"] == "team"

    # the same values again change nothing, and nothing is recorded
    again = submit(client, f"{PAGE}/{line_id}", _line("Staffing", "2014/15", "80000", "team", team_id=str(team_id)))
    assert again.status_code == 302
    assert len(audit_entries(clean, "spending_line.change", str(line_id))) == 1

    confirm = client.get(f"{PAGE}/{line_id}/remove")
    assert "Remove Staffing" in text(confirm) and "£80,000" in text(confirm)
    assert submit(client, f"{PAGE}/{line_id}/remove", {}).status_code == 302
    with clean.app_context():
        assert db.session.get(SpendingLine, line_id) is None
    [(summary, before, after, by)] = audit_entries(clean, "spending_line.remove", str(line_id))
    assert "Staffing" in summary and "£80,000" in summary
    assert before["name"] == "Staffing" and before["amount"] == 80000 and before["team_id"] == team_id
    assert after is None and by == officer.id
    assert "No spending has been recorded yet" in text(client.get(PAGE))


def test_an_administrator_may_change_the_plan_too(client, make, clean):
    sign_in(client, make.user("admin").email)
    _add(client, _line("Impact Fund", "2014/15", "5000"))
    assert "Impact Fund 2014/15 £5,000 Impact Fund" in text(client.get(PAGE))


def test_a_line_that_does_not_exist_is_not_found(client, make, clean):
    sign_in(client, make.user("finance").email)
    assert client.get(f"{PAGE}/999999").status_code == 404
    assert client.get(f"{PAGE}/999999/remove").status_code == 404


# --- what is wrong, said beside its field -------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "  "}, "Enter what the money is for"),
        ({"name": "x" * 201}, "The name must be 200 characters or fewer"),
        ({"financial_year": ""}, "Enter the financial year like 2013/14"),
        ({"financial_year": "2013/15"}, "Enter the financial year like 2013/14"),
        ({"financial_year": "2013-14"}, "Enter the financial year like 2013/14"),
        ({"financial_year": "1999/00"}, "The financial year must be from 2010/11 to"),
        ({"financial_year": "2099/00"}, "The financial year must be from 2010/11 to"),
        ({"amount": ""}, "Enter the amount, in whole pounds"),
        ({"amount": "29234.50"}, "Enter the amount in whole pounds, without pence"),
        ({"amount": "lots"}, "Enter the amount as a whole number of pounds"),
        ({"amount": "0"}, "The amount must be £1 or more"),
        ({"amount": "-5"}, "The amount must be £1 or more"),
        ({"amount": "1000000001"}, "The amount must be £1,000,000,000 or less"),
        ({"amount": "9" * 5000}, "The amount must be £1,000,000,000 or less"),
        ({"pays_for": ""}, "Choose what the line pays for"),
        ({"pays_for": "team", "team_id": ""}, "Choose the team whose staffing the line pays for"),
        ({"pays_for": "team", "team_id": "2147483648"}, "Choose the team whose staffing the line pays for"),
        ({"pays_for": "provider", "provider_id": ""}, "Choose the commissioned provider"),
        ({"pays_for": "provider", "provider_id": "987654"}, "Choose the commissioned provider"),
        ({"pays_for": "other", "description": " "}, "Say what else the line pays for"),
        ({"description": "x" * 501}, "The description must be 500 characters or fewer"),
    ],
)
def test_each_field_says_what_is_wrong_and_nothing_is_stored(client, make, clean, changes, message):
    sign_in(client, make.user("finance").email)
    response = submit(client, NEW, {**_line("Impact Fund", "2014/15", "5000"), **changes})
    assert response.status_code == 400
    assert message in error_summary(response)
    with clean.app_context():
        assert db.session.scalar(select(SpendingLine)) is None
        assert not audit_entries(clean, "spending_line.add")


def test_every_problem_is_said_at_once_and_the_typed_values_stay(client, make, clean):
    sign_in(client, make.user("finance").email)
    response = submit(client, NEW, {"name": "Pilot MST", "financial_year": "14/15", "amount": "7.5", "pays_for": ""})
    summary = error_summary(response)
    assert "like 2013/14" in summary and "without pence" in summary and "Choose what the line pays for" in summary
    assert 'value="Pilot MST"' in response.get_data(as_text=True)


def test_a_change_that_is_wrong_leaves_the_line_as_it_was(client, make, clean):
    sign_in(client, make.user("finance").email)
    _add(client, _line("Impact Fund", "2014/15", "5000"))
    line_id = _line_id(clean, "Impact Fund")
    response = submit(client, f"{PAGE}/{line_id}", _line("Impact Fund", "2014/15", "5000.99"))
    assert response.status_code == 400 and "without pence" in error_summary(response)
    with clean.app_context():
        assert db.session.get(SpendingLine, line_id).amount == 5000
    assert not audit_entries(clean, "spending_line.change")


# --- the money received ---------------------------------------------------------------------------


def test_money_received_is_fees_by_their_year_and_payments_by_the_year_paid_clawbacks_included(clean):
    _fees(clean, "2012/13", 6400)
    _fees(clean, "2012/13", 3200, programme="phase2")
    _fees(clean, "2013/14", 2400)
    _payments(
        clean,
        (1400, date(2013, 3, 31)),  # the last day of 2012/13
        (1000, date(2013, 4, 1)),  # the first day of 2013/14
        (-300, date(2013, 9, 30)),  # a spot check's clawback
        (-999_999, date(2014, 5, 1)),  # a mistaken payment's reversal, without its payment
    )
    with clean.app_context():
        assert received_by_year() == {"2012/13": 11000, "2013/14": 3100, "2014/15": -999_999}


# --- the profile ----------------------------------------------------------------------------------


@pytest.fixture
def worked(clean, make):
    """The hand-worked example.

    Received: 2012/13 fees £10,000 and a payment of £1,000 on 1 March 2013, so £11,000;
    2013/14 fees £6,000, a payment of £2,000 and a clawback of £500, so £7,500; 2014/15 nothing.
    Lines, in the order added: E 2014/15 £3,000; D 2013/14 £4,000; C 2013/14 £5,000;
    A 2012/13 £8,000; B 2012/13 £2,000.
    2012/13: A and B take £10,000 of £11,000: £1,000 left.
    2013/14: D, added first, takes £4,000 of £7,500; C takes the other £3,500 and its last
    £1,500 waits on results still to be claimed: £1,500 short.
    2014/15: nothing received, so all of E (£3,000) waits on results.
    In all: £18,500 received, £22,000 committed, £3,500 short, £4,500 from results to claim.
    """
    _fees(clean, "2012/13", 10_000)
    _fees(clean, "2013/14", 6_000)
    _payments(clean, (1000, date(2013, 3, 1)), (2000, date(2013, 9, 30)), (-500, date(2014, 2, 1)))
    team_id, provider_id = _team_and_provider(clean)
    client = clean.test_client()
    sign_in(client, make.user("finance").email)
    for data in (
        _line("E", "2014/15", "3000"),
        _line("D", "2013/14", "4000", "team", team_id=str(team_id)),
        _line("C", "2013/14", "5000", description="Case management system"),
        _line("A", "2012/13", "8000", "team", team_id=str(team_id)),
        _line("B", "2012/13", "2000", "provider", provider_id=str(provider_id)),
    ):
        _add(client, data)
    return client


def test_the_worked_example_year_by_year(worked, clean):
    with clean.app_context():
        found = profile()
        years = [(y.year, y.received, y.committed, y.left, y.from_results) for y in found.years]
        assert years == [
            ("2012/13", 11_000, 10_000, 1_000, 0),
            ("2013/14", 7_500, 9_000, -1_500, 1_500),
            ("2014/15", 0, 3_000, -3_000, 3_000),
        ]
        total = found.total
        assert (total.received, total.committed, total.left, total.from_results) == (18_500, 22_000, -3_500, 4_500)
        funded = [(f.line.name, f.from_received, f.from_results) for f in found.lines]
        assert funded == [
            ("A", 8000, 0),
            ("B", 2000, 0),
            ("D", 4000, 0),
            ("C", 3500, 1500),  # the part above what the year received, not the whole line
            ("E", 0, 3000),
        ]


def test_the_page_shows_the_profile_and_marks_what_waits_on_results(worked):
    page = text(worked.get(PAGE))
    assert "Money received £18,500" in page
    assert "Spending committed £22,000" in page
    assert "Left £3,500 short" in page
    assert "2012/13 £11,000 £10,000 £1,000 £0" in page
    assert "2013/14 £7,500 £9,000 £1,500 short £1,500" in page
    assert "2014/15 £0 £3,000 £3,000 short £3,000" in page
    assert "In all £18,500 £22,000 £3,500 short £4,500" in page
    assert "A 2012/13 £8,000 Staffing: Families for Change Money received" in page
    assert "B 2012/13 £2,000 Provider: YWCA Money received" in page
    assert (
        "C 2013/14 £5,000 Case management system £3,500 from money received; £1,500 from results still to be claimed"
        in page
    )
    assert "E 2014/15 £3,000 Something else" not in page  # an "other" line shows what it is
    assert "E 2014/15 £3,000 E Results still to be claimed" in page
    assert "£-" not in page and "-£" not in page


def test_the_funding_dashboard_profiles_spending_against_the_money_received_too(worked):
    page = text(worked.get("/funding/"))
    assert "Spending against the money received" in page
    assert "2013/14 £7,500 £9,000 £1,500 short £1,500" in page
    assert "In all £18,500 £22,000 £3,500 short £4,500" in page


def test_with_no_money_and_no_spending_the_dashboard_says_so(client, make, clean):
    sign_in(client, make.user("manager").email)
    page = text(client.get("/funding/"))
    assert "No money has been received and no spending is recorded yet." in page
    assert "tff-spending-profile" not in client.get("/funding/").get_data(as_text=True)


def test_removing_a_line_frees_the_money_for_the_next(worked, clean):
    d = _line_id(clean, "D")
    assert submit(worked, f"{PAGE}/{d}/remove", {}).status_code == 302
    page = text(worked.get(PAGE))
    assert "2013/14 £7,500 £5,000 £2,500 £0" in page
    assert "C 2013/14 £5,000 Case management system Money received" in page


def test_each_table_downloads_as_csv_with_numbers_a_spreadsheet_adds_up(worked):
    # a shortfall is a negative number (whether the CSV writer quotes a leading minus is its own rule)
    years = [[cell.removeprefix("'") for cell in row] for row in _csv(worked, "years")]
    assert years == [
        ["financial_year", "received", "committed", "left", "from_results_still_to_be_claimed"],
        ["2012/13", "11000", "10000", "1000", "0"],
        ["2013/14", "7500", "9000", "-1500", "1500"],
        ["2014/15", "0", "3000", "-3000", "3000"],
        ["In all", "18500", "22000", "-3500", "4500"],
    ]
    lines = _csv(worked, "lines")
    assert lines[0] == [
        "name",
        "financial_year",
        "amount",
        "pays_for",
        "team",
        "provider",
        "from_money_received",
        "from_results_still_to_be_claimed",
    ]
    assert lines[1:] == [
        ["A", "2012/13", "8000", "team", "Families for Change", "", "8000", "0"],
        ["B", "2012/13", "2000", "provider", "", "YWCA", "2000", "0"],
        ["D", "2013/14", "4000", "team", "Families for Change", "", "4000", "0"],
        ["C", "2013/14", "5000", "other", "", "", "3500", "1500"],
        ["E", "2014/15", "3000", "other", "", "", "0", "3000"],
    ]
    assert worked.get(f"{PAGE}/nothing.csv").status_code == 404


def test_a_name_a_spreadsheet_would_run_is_plain_text_in_the_csv(client, make, clean):
    sign_in(client, make.user("finance").email)
    _add(client, _line('=HYPERLINK("evil.example")', "2014/15", "5000"))
    rows = _csv(client, "lines")
    assert rows[1][0] == '\'=HYPERLINK("evil.example")'


def test_left_is_said_in_words_never_as_a_minus_before_a_pound_sign():
    assert left_in_words(1_000) == "£1,000"
    assert left_in_words(0) == "£0"
    assert left_in_words(-206_730) == "£206,730 short"


def test_the_seed_council_s_finance_report(client, make, clean):
    """The finance report of May 2014 (section 7 of the Families for Change review): £649,600
    received for year 1 (2012/13) and £732,000 for year 2 (2013/14); £1,307,096 allocated to
    staffing costs and expenses; and a proposal of seven lines totalling £281,234.

    The report does not split the staffing by year: here each year's staffing is taken up to
    that year's fees (£649,600 and the rest, £657,496). The proposal is for 2014/15, for which
    nothing is received yet: "any additional commissioning ... will follow ... payment by
    results claims", so all of it is shown as waiting on results still to be claimed."""
    _fees(clean, "2012/13", 649_600)
    _fees(clean, "2013/14", 732_000)
    team_id, _ = _team_and_provider(clean)
    sign_in(client, make.user("finance").email)
    _add(client, _line("Staffing costs and expenses", "2012/13", "649,600", "team", team_id=str(team_id)))
    _add(client, _line("Staffing costs and expenses", "2013/14", "657,496", "team", team_id=str(team_id)))
    proposal = [
        ("Developing case management system", "29,234"),
        ("Impact Fund", "5000"),
        ("Extend YWCA Family Support Contract", "77,000"),
        ("Extend RB Mind IFS (6 months)", "37,500"),
        ("Commissioned FfC Coordinator (RB Mind)", "38,000"),
        ("Pilot MST (approx. 10 cases)", "75,000"),
        ("Contribution to Remedi Family Mediation", "19,500"),
    ]
    for name, amount in proposal:
        _add(client, _line(name, "2014/15", amount))
    with clean.app_context():
        found = profile()
        by_year = {y.year: y for y in found.years}
        assert by_year["2012/13"].received == 649_600 and by_year["2013/14"].received == 732_000
        staffing = by_year["2012/13"].committed + by_year["2013/14"].committed
        assert staffing == 1_307_096
        assert by_year["2013/14"].left == 74_504  # £1,381,600 received less the staffing
        assert by_year["2014/15"].committed == 281_234  # the proposal's total
        assert by_year["2014/15"].from_results == 281_234
        assert found.total.received == 1_381_600 and found.total.committed == 1_588_330
    page = text(client.get(PAGE))
    assert "Money received £1,381,600" in page
    assert "2014/15 £0 £281,234 £281,234 short £281,234" in page
    assert "Left £206,730 short" in page


# --- who may see and change it --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "reads", "changes"),
    [
        ("finance", 200, True),
        ("admin", 200, True),
        ("manager", 200, False),
        ("coordinator", 403, False),
        ("lead_worker", 403, False),
        ("auditor", 403, False),
    ],
)
def test_who_may_read_and_change_the_plan(client, make, clean, role, reads, changes):
    with clean.app_context():
        line = SpendingLine(
            name="Impact Fund", financial_year="2014/15", amount=5000, pays_for="other", description="x"
        )
        db.session.add(line)
        db.session.commit()
        line_id = line.id
    sign_in(client, make.user(role).email)
    page = client.get(PAGE)
    assert page.status_code == reads
    assert client.get(f"{PAGE}/years.csv").status_code == reads
    assert client.get(f"{PAGE}/lines.csv").status_code == reads
    if reads == 200:
        html = page.get_data(as_text=True)
        assert ("Add a spending line" in html) == changes
        assert (f"{PAGE}/{line_id}/remove" in html) == changes
    expected = 200 if changes else 403
    for url in (NEW, f"{PAGE}/{line_id}", f"{PAGE}/{line_id}/remove"):
        assert client.get(url).status_code == expected, url
    if not changes:
        from tests.case_work import post

        assert post(client, NEW, _line("Pilot MST", "2014/15", "75000")).status_code == 403
        assert post(client, f"{PAGE}/{line_id}/remove").status_code == 403
        with clean.app_context():
            assert [li.name for li in db.session.scalars(select(SpendingLine))] == ["Impact Fund"]


def test_the_forms_offer_the_teams_and_providers(client, make, clean):
    _team_and_provider(clean)
    sign_in(client, make.user("finance").email)
    html = client.get(NEW).get_data(as_text=True)
    assert re.search(r"<option value=\"\d+\">Families for Change</option>", html)
    assert re.search(r"<option value=\"\d+\">YWCA</option>", html)
