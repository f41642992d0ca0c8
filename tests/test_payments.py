"""A window's money ledger: a payment above what is outstanding is recorded only once the
finance officer confirms it, overpayment reads as such, a mistaken entry is corrected by a
reversal with a reason (never edited or deleted), a spot check's clawback is taken off what was
drawn down, every entry is audited, and only finance officers record them."""

import csv
import io
import re
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy import text as sql
from sqlalchemy.exc import DBAPIError

from tests.case_work import audit_entries, error_summary, text
from tests.helpers import sign_in, submit
from tff.claims import operations
from tff.claims.models import CLAWBACK, PAYMENT, REVERSAL, ClaimBatch, ClaimLine, ClaimWindow, Payment
from tff.exports import csv_text
from tff.extensions import db
from tff.inputs import MAX_POUNDS
from tff.timeutil import utcnow

PAID_ON = {"paid_on": ["30", "9", "2013"]}


@pytest.fixture
def window(clean, make):
    """A submitted claim for 2013-07 of £89,400: two families' lines."""
    families = [make.family(ref, status="attached", attached_on=date(2013, 1, 10)) for ref in ("F001", "F002")]
    with clean.app_context():
        window = operations.create_window("2013-07", date(2013, 7, 31), sample_percent=0)
        batch = db.session.scalar(select(ClaimBatch).where(ClaimBatch.window_id == window.id))
        for family, amount in zip(families, (44_700, 44_700), strict=True):
            db.session.add(
                ClaimLine(
                    batch_id=batch.id,
                    family_id=family.id,
                    family_ref=family.reference,
                    outcome="crime_asb_education",
                    attachment_year="2012/13",
                    amount=amount,
                    rule_set="phase1",
                )
            )
        batch.assembled_at = utcnow()
        db.session.commit()
        operations.submit(window)
        return SimpleNamespace(app=clean, id=window.id, url=f"/claims/{window.id}")


def _finance(client, make):
    sign_in(client, make.user("finance", name="Fran Finance").email)
    return client


def _entries(app) -> list[tuple]:
    with app.app_context():
        return [
            (p.id, p.kind, p.amount, p.paid_on, p.note, p.reverses_id, p.recorded_by_id, p.recorded_at)
            for p in db.session.scalars(select(Payment).order_by(Payment.id))
        ]


def _pay(client, window, amount, **extra):
    return submit(client, f"{window.url}/payments", {"amount": str(amount), **PAID_ON, **extra}, form_url=window.url)


def test_a_mistaken_payment_asks_first_then_reads_overpaid_then_a_reversal_puts_it_right(client, make, window):
    finance = _finance(client, make)
    page = finance.get(window.url).get_data(as_text=True)
    assert "Record it anyway" not in page  # the checkbox is shown only when it is needed

    # £999,999 keyed against an £89,400 claim: nothing is recorded until it is confirmed.
    response = _pay(finance, window, 999_999)
    assert response.status_code == 200
    problem = error_summary(response)
    assert "£999,999 is more than is outstanding for 2013-07 (£89,400 of the £89,400 claimed)" in problem
    assert "£910,599 overpaid" in problem
    assert "Record it anyway: more than is outstanding" in response.get_data(as_text=True)
    assert _entries(window.app) == []

    response = _pay(finance, window, 999_999, confirm_over="y", note="Remittance 2013-09")
    assert response.status_code == 302
    page = text(finance.get(window.url))
    assert "Claimed £89,400, paid £999,999, £910,599 overpaid." in page
    assert "Balance £910,599 overpaid" in page
    assert "£-" not in page and "-910,599" not in page
    listing = finance.get("/claims/").get_data(as_text=True)
    assert re.search(r"data-outstanding>£910,599 overpaid<", listing)
    [(summary, _, after, user_id)] = audit_entries(window.app, "claim_payment.record")
    assert "£999,999" in summary and "(£910,599 more than claimed)" in summary
    assert after["over_outstanding"] is True and user_id is not None
    [(payment_id, *_)] = _entries(window.app)

    # The reversal: its own page, a reason required, then the entry of the opposite amount.
    reversal_url = f"{window.url}/reversal?entry={payment_id}"
    form = finance.get(reversal_url)
    assert form.status_code == 200
    assert "Reverse the payment of £999,999 on 30 September 2013" in text(form)
    response = submit(finance, f"{window.url}/reversal", {"entry": str(payment_id), "reason": " "}, reversal_url)
    assert response.status_code == 200 and "Say why the entry is reversed" in error_summary(response)
    assert len(_entries(window.app)) == 1
    original = _entries(window.app)[0]
    response = submit(
        finance,
        f"{window.url}/reversal",
        {"entry": str(payment_id), "reason": "Keyed as £999,999 instead of £89,400"},
        reversal_url,
    )
    assert response.status_code == 302
    entries = _entries(window.app)
    assert entries[0] == original  # the mistaken payment stays as it was recorded
    _, kind, amount, paid_on, note, reverses, user_id, _ = entries[1]
    assert (kind, amount, paid_on, note, reverses) == (
        REVERSAL,
        -999_999,
        date(2013, 9, 30),
        "Keyed as £999,999 instead of £89,400",
        payment_id,
    )
    assert user_id is not None
    page = finance.get(window.url)
    words = text(page)
    assert "Claimed £89,400, paid £0, £89,400 still to be paid." in words
    assert "Reversal of the payment of £999,999 on 30 September 2013" in words
    assert "−£999,999" in words and "Keyed as £999,999 instead of £89,400" in words
    assert "by Fran Finance" in words
    assert 'data-window-state="submitted"' in page.get_data(as_text=True)  # nothing paid, net
    [(summary, _, after, _)] = audit_entries(window.app, "claim_payment.reverse")
    assert "the payment of £999,999 on 30 September 2013 reversed: Keyed as" in summary
    assert after["reverses_id"] == payment_id and after["amount"] == -999_999

    # The right amount needs no confirmation.
    assert _pay(finance, window, 89_400).status_code == 302
    assert "Claimed £89,400, paid £89,400, £0 still to be paid." in text(finance.get(window.url))


def test_a_reversal_is_never_reversed_and_an_entry_is_reversed_once(client, make, window):
    finance = _finance(client, make)
    assert _pay(finance, window, 1_000).status_code == 302
    [(payment_id, *_)] = _entries(window.app)
    url = f"{window.url}/reversal"
    assert submit(finance, url, {"entry": str(payment_id), "reason": "Wrong window"}, window.url).status_code == 302
    reversal_id = _entries(window.app)[1][0]
    before = _entries(window.app)

    response = submit(finance, url, {"entry": str(payment_id), "reason": "Again"}, window.url)
    assert response.status_code == 200
    assert "The payment of £1,000 on 30 September 2013 has been reversed already" in error_summary(response)
    response = submit(finance, url, {"entry": str(reversal_id), "reason": "Undo"}, window.url)
    assert response.status_code == 200
    assert "A reversal cannot be reversed: record the payment again instead" in error_summary(response)
    assert _entries(window.app) == before
    # Neither is offered a Reverse link any more.
    assert "/reversal?entry=" not in finance.get(window.url).get_data(as_text=True)

    with window.app.app_context():
        claim = operations.get_window("2013-07")
        with pytest.raises(operations.ClaimRefused, match="reversed already"):
            operations.reverse(claim, db.session.get(Payment, payment_id), "Once more")
        # The database itself holds an entry to one reversal.
        db.session.add(Payment(window_id=claim.id, kind=REVERSAL, amount=-1_000, paid_on=date(2013, 9, 30),
                               reverses_id=payment_id))  # fmt: skip
        with pytest.raises(Exception, match="(?i)unique"):
            db.session.commit()
        db.session.rollback()
    assert _entries(window.app) == before
    # An entry of another window, or none, is not found.
    assert finance.get(f"{url}?entry=999999").status_code == 404
    assert finance.get(url).status_code == 404


def test_no_address_edits_or_deletes_a_ledger_entry(app):
    """The only ways into the ledger add an entry: recording a payment, a clawback, a reversal."""
    claims_rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("claims.")]
    assert not [rule.rule for rule in claims_rules if rule.methods & {"PUT", "PATCH", "DELETE"}]
    writes_money = {
        rule.endpoint
        for rule in claims_rules
        if "POST" in rule.methods and re.search("payment|reversal|clawback", rule.rule)
    }
    assert writes_money == {"claims.payment", "claims.reversal", "claims.clawback"}


def test_the_database_itself_refuses_to_change_or_delete_a_ledger_entry(window):
    """Beside the code that offers no way to: a script or a slip at the database's prompt is
    refused too, and the entry is as it was."""
    with window.app.app_context():
        operations.record_payment(db.session.get(ClaimWindow, window.id), 89_400, date(2013, 9, 30))
        for statement in ("UPDATE claim_payments SET amount = 1", "DELETE FROM claim_payments"):
            with pytest.raises(DBAPIError, match="never changed or deleted: record a reversing entry"):
                db.session.execute(sql(statement))
            db.session.rollback()
        assert db.session.execute(select(Payment.amount, Payment.kind)).all() == [(89_400, PAYMENT)]


def test_a_clawback_is_taken_off_what_was_drawn_down(client, make, window):
    finance = _finance(client, make)
    assert _pay(finance, window, 89_400).status_code == 302
    url = f"{window.url}/clawback"
    assert "Record a spot check’s clawback" in finance.get(window.url).get_data(as_text=True)
    response = submit(finance, url, {"amount": "700", "clawed_back_on": ["15", "1", "2014"], "reason": ""})
    assert response.status_code == 200 and "Say what the spot check found" in error_summary(response)
    response = submit(finance, url, {"amount": "89401", "clawed_back_on": ["15", "1", "2014"], "reason": "All"})
    assert "£89,401 is more than is left of the claim for 2013-07 to claw back (£89,400)" in error_summary(response)
    response = submit(
        finance,
        url,
        {"amount": "700", "clawed_back_on": ["15", "1", "2014"], "reason": "F002: school attendance not evidenced"},
    )
    assert response.status_code == 302
    words = text(finance.get(window.url))
    assert "Clawed back £700" in words
    assert "Clawback after a spot check" in words and "F002: school attendance not evidenced" in words
    # Paid stays paid and nothing more is owed: the results clawed back come out of the claim too.
    assert "Claimed £89,400, paid £89,400, £0 still to be paid." in words
    assert "drawn down £88,700" in words
    with window.app.app_context():
        claim = operations.get_window("2013-07")
        money = operations.balance(claim)
        assert (money.paid, money.clawed_back, money.drawn_down, money.outstanding) == (89_400, 700, 88_700, 0)
        # what every sum of the ledger (the funding dashboard's) sees
        assert db.session.scalar(select(func.sum(Payment.amount))) == 88_700
        kinds = db.session.scalars(select(Payment.kind).order_by(Payment.id)).all()
        assert kinds == [PAYMENT, CLAWBACK]
    listing = finance.get("/claims/").get_data(as_text=True)
    assert re.search(r"data-clawed-back>£700<", listing)
    [(summary, _, after, _)] = audit_entries(window.app, "claim_payment.clawback")
    assert "Clawback of £700 on 2014-01-15" in summary and "school attendance not evidenced" in summary
    assert after["amount"] == -700

    # A clawback keyed by mistake is reversed like a payment.
    clawback_id = _entries(window.app)[1][0]
    response = submit(finance, f"{window.url}/reversal", {"entry": str(clawback_id), "reason": "Wrong window"}, url)
    assert response.status_code == 302
    with window.app.app_context():
        money = operations.balance(operations.get_window("2013-07"))
        assert (money.paid, money.clawed_back, money.drawn_down) == (89_400, 0, 89_400)


def test_nothing_is_paid_or_clawed_back_against_a_claim_not_submitted(clean, make):
    with clean.app_context():
        draft = operations.create_window("2013-08", date(2013, 8, 31))
        for change in (
            lambda: operations.record_payment(draft, 100, date(2013, 9, 1)),
            lambda: operations.claw_back(draft, 100, date(2013, 9, 1), "Spot check"),
        ):
            with pytest.raises(operations.ClaimRefused, match="has not been submitted"):
                change()
        assert db.session.scalar(select(func.count()).select_from(Payment)) == 0


def test_amounts_are_bounded(client, make, window):
    finance = _finance(client, make)
    response = _pay(finance, window, MAX_POUNDS + 1)
    assert response.status_code == 200
    assert "The amount paid must be £1,000,000,000 or less" in error_summary(response)
    response = _pay(finance, window, "12.50")
    assert response.status_code == 200 and error_summary(response)
    with window.app.app_context():
        claim = operations.get_window("2013-07")
        for amount in (0, -5, MAX_POUNDS + 1):
            with pytest.raises(operations.ClaimRefused, match="whole number of pounds, from 1 to 1,000,000,000"):
                operations.record_payment(claim, amount, date(2013, 9, 30), over_outstanding=True)
        with pytest.raises(operations.OverOutstanding):
            operations.record_payment(claim, 89_401, date(2013, 9, 30))
    assert _entries(window.app) == []


@pytest.mark.parametrize("role", ["admin", "manager", "auditor", "coordinator", "lead_worker"])
def test_only_finance_officers_record_money(client, make, window, role):
    finance = make.user("finance")
    other = window.app.test_client()
    sign_in(other, finance.email)
    assert _pay(other, window, 1_000).status_code == 302
    [(payment_id, *_)] = _entries(window.app)

    sign_in(client, make.user(role).email)
    token_page = "/"
    attempts = [
        (f"{window.url}/payments", {"amount": "5", **PAID_ON, "confirm_over": "y"}),
        (f"{window.url}/reversal", {"entry": str(payment_id), "reason": "Mine now"}),
        (f"{window.url}/clawback", {"amount": "5", "clawed_back_on": ["1", "1", "2014"], "reason": "Found"}),
    ]
    for url, data in attempts:
        assert submit(client, url, data, form_url=token_page).status_code == 403, url
    assert client.get(f"{window.url}/reversal?entry={payment_id}").status_code == 403
    if role in ("admin", "manager", "auditor"):  # they read claims, without the ledger's controls
        page = client.get(window.url).get_data(as_text=True)
        assert "£1,000" in page
        assert "Record the payment" not in page and "/reversal?entry=" not in page and "/clawback" not in page
    assert len(_entries(window.app)) == 1


def test_numbers_are_written_as_numbers_and_text_is_still_guarded():
    written = "".join(csv_text([[-990_599, Decimal("-12.50"), 0, "=cmd|' /C calc'!A0", "-2+3", "-990599", "F001"]]))
    assert next(csv.reader(io.StringIO(written))) == [
        "-990599",
        "-12.50",
        "0",
        "'=cmd|' /C calc'!A0",
        "'-2+3",
        "'-990599",  # text that looks like a number is still text a spreadsheet could run
        "F001",
    ]


def test_the_funding_windows_csv_writes_an_overpaid_window_as_numbers(client, make, window):
    finance = _finance(client, make)
    assert _pay(finance, window, 999_999, confirm_over="y").status_code == 302
    rows = list(csv.reader(io.StringIO(finance.get("/funding/windows.csv").get_data(as_text=True))))
    [row] = [row for row in rows if row[0] == "2013-07"]
    assert "999999" in row and ("-910599" in row or "910599" in row)
    assert not [cell for cell in row if cell.startswith("'")]
