"""Commitments per programme and year (`funding.md`): the families committed and funded, the
attachment fees due on each programme's basis, the results available, the money drawn down and
progress against the commitment; recorded on the commitments page and by `flask funding
commitment`, audited; and families counted once on the claim schedule and the dashboard."""

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select, update

from tests.case_work import audit_entries, error_summary, text
from tests.helpers import sign_in, submit
from tff.claims import operations as claims
from tff.claims.models import SUBMITTED, ClaimBatch, ClaimLine
from tff.extensions import db
from tff.funding.commitments import Refused, bases, commitments, default_funded, set_basis, set_commitment
from tff.funding.drawdown import funding
from tff.funding.models import FundingCommitment
from tff.funding.operations import record_fees
from tff.outcomes.plan_versions.operations import adopt, next_version_text, store, store_shipped

COMMITMENTS = "/funding/commitments"


def _rows(app) -> dict[tuple[str, str], object]:
    with app.app_context():
        return {(r.programme, r.year): r for r in funding().years}


def _seed_council(app, entered_2013: int | None = None) -> None:
    """The seed council's phase one: 244, 365 and 120 families committed."""
    with app.app_context():
        set_commitment("phase1", "2012/13", 244, None, None)
        set_commitment("phase1", "2013/14", 365, entered_2013, None)
        set_commitment("phase1", "2014/15", 120, None, None)


def test_the_default_funded_is_the_committed_less_one_sixth_to_the_nearest_family():
    # 244 x 5/6 = 203.3; 365 x 5/6 = 304.2; 120 x 5/6 = 100; 3 x 5/6 = 2.5 rounds up
    assert [default_funded("phase1", n) for n in (244, 365, 120, 3, 0)] == [203, 304, 100, 3, 0]
    # the later programmes have no deadweight share
    assert default_funded("phase2", 365) == 365
    assert default_funded("supporting_families", 7) == 7


def test_the_seed_councils_fees_due_are_those_its_finance_report_received(clean):
    """2012/13: 203 x £3,200 = £649,600, not the £780,800 of 244 families attached at £3,200;
    2013/14: the government's 305 x £2,400 = £732,000; 2014/15: 100 x £1,600 = £160,000."""
    _seed_council(clean)
    with clean.app_context():
        default = commitments()
        assert [(c.committed, c.funded, c.entered) for c in default.values()] == [
            (244, 203, False),
            (365, 304, False),  # the default: 365 less one sixth
            (120, 100, False),
        ]
        assert default["phase1", "2013/14"].funded_words == "the default: 365 less one sixth"
        # finance enters the government's own figure, which then stands
        set_commitment("phase1", "2013/14", 365, 305, None)
        entered = commitments()["phase1", "2013/14"]
        assert (entered.funded, entered.entered, entered.funded_words) == (305, True, "the government’s figure")
        assert sum(c.funded for c in commitments().values()) == 608  # 730 less one sixth
    rows = _rows(clean)
    assert rows["phase1", "2012/13"].fees_due == 649_600
    assert rows["phase1", "2013/14"].fees_due == 732_000
    assert rows["phase1", "2014/15"].fees_due == 160_000
    # results available: the families funded at the year's continuous employment rate
    assert rows["phase1", "2012/13"].results_available == 203 * 800
    assert rows["phase1", "2013/14"].results_available == 305 * 1600
    # no family attached yet: progress is none of those committed
    assert (rows["phase1", "2012/13"].families, rows["phase1", "2012/13"].committed) == (0, 244)


def test_phase_one_fees_fall_due_by_the_commitment_not_the_families_attached(clean, make):
    """Seven families attached in 2012/13 against six committed (five funded): the fee is due
    for five, and progress shows seven of six."""
    for n in range(7):
        make.family(f"F{n:03d}", status="attached", attached_on=date(2012, 6 + n % 3, 1))
    with clean.app_context():
        set_commitment("phase1", "2012/13", 6, None, None)
    row = _rows(clean)["phase1", "2012/13"]
    assert (row.families, row.committed, row.funded) == (7, 6, 5)
    assert row.fees_due == 5 * 3200
    assert row.results_available == 5 * 800
    # the programme's basis set to each family attached: seven fees
    with clean.app_context():
        assert set_basis("phase1", "attached", None) == "attached"
    assert _rows(clean)["phase1", "2012/13"].fees_due == 7 * 3200


def _second_plan_version(app) -> None:
    """Phase two's shipped plan (fee £1,000, results up to £800, from 1 April 2015) and its
    version 2 (fee £1,200, results up to £900) in force from 1 April 2016."""
    with app.app_context():
        [first, _sf] = store_shipped(None)
        document = next_version_text(first)
        document = document.replace("attachment_fee: 1000", "attachment_fee: 1200")
        document = document.replace("\n  result: 800", "\n  result: 900")
        second = store(document, "yaml", None)
        adopt(second, date(2016, 4, 1))
        db.session.commit()


def test_phase_two_fees_fall_due_for_each_family_attached_at_its_plans_fee(clean, make):
    """Attached basis, worked by hand. 2015/16: P1 and P2 measured by version 1 (£1,000 and
    £800 each), P4 naming version 2 (£1,200 and £900): fees £3,200, results £2,500. 2016/17:
    P3 attached under version 2: £1,200 and £900. Five committed in 2015/16: three attached."""
    _second_plan_version(clean)
    make.family("P1", programme="phase2", status="attached", attached_on=date(2015, 6, 1))
    make.family("P2", programme="phase2", status="attached", attached_on=date(2015, 9, 1))
    make.family("P3", programme="phase2", status="attached", attached_on=date(2016, 5, 1))
    make.family(
        "P4", programme="phase2", status="attached", attached_on=date(2015, 7, 1), outcome_plan="rotherham-2015 v2"
    )
    with clean.app_context():
        set_commitment("phase2", "2015/16", 5, None, None)
        assert bases()["phase2"] == "attached"
    rows = _rows(clean)
    first, second = rows["phase2", "2015/16"], rows["phase2", "2016/17"]
    assert (first.families, first.committed, first.funded) == (3, 5, 5)
    assert (first.fees_due, first.results_available, first.available) == (3200, 2500, 5700)
    assert (second.fees_due, second.results_available, second.committed) == (1200, 900, None)
    assert not second.no_commitment  # the attached basis needs no commitment

    # On the commitment basis: the five funded at the fee of the plan in force on 1 April 2015,
    # and nothing due for 2016/17 until its commitment is recorded.
    with clean.app_context():
        set_basis("phase2", "commitment", None)
    rows = _rows(clean)
    assert (rows["phase2", "2015/16"].fees_due, rows["phase2", "2015/16"].results_available) == (5000, 4000)
    assert rows["phase2", "2016/17"].fees_due == 0 and rows["phase2", "2016/17"].no_commitment


def _submitted_window(app, lines: list[tuple], paid: int | None = None) -> int:
    """A submitted window claiming (family reference, outcome, amount[, year of attachment])
    lines (2012/13 unless said); with a payment when `paid`. Returns the window's id."""
    with app.app_context():
        window = claims.create_window("2013-07", date(2013, 7, 31), sample_percent=0)
        batch = window.batch
        if batch is None:
            batch = ClaimBatch(window_id=window.id, assembled_at=window.created_at)
            db.session.add(batch)
            db.session.flush()
        from tff.cases.models import Family

        for reference, outcome, amount, *year in lines:
            family_id = db.session.scalar(select(Family.id).where(Family.reference == reference))
            db.session.add(
                ClaimLine(
                    batch_id=batch.id,
                    family_id=family_id,
                    family_ref=reference,
                    outcome=outcome,
                    attachment_year=year[0] if year else "2012/13",
                    amount=amount,
                    rule_set="phase1",
                    reasons=["worked by hand"],
                )
            )
        db.session.flush()
        db.session.execute(update(ClaimBatch).where(ClaimBatch.id == batch.id).values(state=SUBMITTED))
        db.session.commit()
        if paid:
            claims.record_payment(claims.get_window("2013-07"), paid, date(2013, 9, 30))
        return window.id


def test_families_are_counted_once_on_the_schedule_and_the_dashboard(client, make, clean):
    """Three lines of two families: the schedule's rows say 2 and 1, its total 2 families, and
    the dashboard says the same 2 for the same £1,500."""
    for reference in ("F001", "F002"):
        make.family(reference, status="attached", attached_on=date(2012, 9, 15))
    window_id = _submitted_window(
        clean,
        [("F001", "crime_asb_education", 700), ("F001", "progress_to_work", 100), ("F002", "crime_asb_education", 700)],
    )
    sign_in(client, make.user("finance").email)
    schedule = client.get(f"/claims/{window_id}/schedule").get_data(as_text=True)
    assert 'data-total="families"><strong>2</strong>' in schedule
    assert 'data-total="amount"><strong>£1,500' in schedule
    assert "Total, each family counted once" in text(client.get(f"/claims/{window_id}/schedule"))
    page = text(client.get("/funding/"))
    assert "Results claimed £1,500 for 2 families" in page
    assert "2013-07 2013-07-31 2 £1,500" in page


def test_drawn_down_is_the_money_received_with_results_not_yet_paid_apart(client, make, clean):
    """Fees received £649,600 and £1,000 of a £1,500 claim paid: £650,600 drawn down, £500 of
    results claimed and not yet paid."""
    for reference in ("F001", "F002"):
        make.family(reference, status="attached", attached_on=date(2012, 9, 15))
    _seed_council(clean, entered_2013=305)
    _submitted_window(
        clean,
        [("F001", "crime_asb_education", 700), ("F001", "progress_to_work", 100), ("F002", "crime_asb_education", 700)],
        paid=1000,
    )
    with clean.app_context():
        record_fees("phase1", "2012/13", 649_600, date(2013, 4, 30), None, None)
    row = _rows(clean)["phase1", "2012/13"]
    assert (row.fees_received, row.results_claimed, row.results_paid, row.unpaid) == (649_600, 1500, 1000, 500)
    assert row.drawn == 650_600
    sign_in(client, make.user("manager").email)
    page = text(client.get("/funding/"))
    assert "Attachment fees due £1,541,600 (£649,600 received)" in page  # 649,600 + 732,000 + 160,000
    assert "Results claimed £1,500 for 2 families (£1,000 paid, £500 not yet paid)" in page
    assert "Drawn down £650,600" in page
    assert "Families attached 2 (2 of the 729 committed)" in page
    # the manager reads the progress table as CSV: committed, funded, attached, percent
    progress = list(csv.reader(io.StringIO(client.get("/funding/progress.csv").get_data(as_text=True))))
    assert progress[1:] == [
        ["Phase one (2012)", "2012/13", "Families funded", "244", "203", "2", "1", "0"],
        ["Phase one (2012)", "2013/14", "Families funded", "365", "305", "0", "0", "0"],
        ["Phase one (2012)", "2014/15", "Families funded", "120", "100", "0", "0", "0"],
    ]
    years = list(csv.reader(io.StringIO(client.get("/funding/years.csv").get_data(as_text=True))))
    assert years[2][:3] == ["Phase one (2012)", "2013/14", "732000"]
    # as the council's report has it: 80%, 60% and 40% of each year's money paid up front
    assert [row[-2] for row in years[1:]] == ["80", "60", "40"]
    # in all, for the programme: 729 committed, 608 funded (203 + 305 + 100); results available
    # 203 x £800 + 305 x £1,600 + 100 x £2,400 = £890,400
    programmes = list(csv.reader(io.StringIO(client.get("/funding/programmes.csv").get_data(as_text=True))))
    assert programmes[1] == [
        "Phase one (2012)",
        "729",
        "608",
        "2",
        "1541600",
        "649600",
        "890400",
        "1500",
        "1000",
        "500",
        "2432000",
        "63",
        "650600",
    ]


def test_a_payment_is_shared_among_a_windows_years_by_the_amounts_claimed(make, clean):
    """£1,000 paid for £700 of 2012/13 and £1,400 of 2013/14 results: £333 and £667."""
    make.family("F001", status="attached", attached_on=date(2012, 9, 15))
    make.family("F002", status="attached", attached_on=date(2013, 9, 15))
    _submitted_window(
        clean,
        [("F001", "crime_asb_education", 700), ("F002", "crime_asb_education", 1400, "2013/14")],
        paid=1000,
    )
    rows = _rows(clean)
    assert rows["phase1", "2012/13"].results_paid == 333
    assert rows["phase1", "2013/14"].results_paid == 667


def test_a_year_without_a_commitment_is_named_on_the_dashboard(client, make, clean):
    make.family("F001", status="attached", attached_on=date(2012, 9, 15))
    sign_in(client, make.user("finance").email)
    page = text(client.get("/funding/"))
    assert "No commitment is recorded for Phase one (2012) 2012/13" in page
    assert "Attachment fees due £0" in page
    assert "Phase one (2012) 2012/13 Families funded Not recorded Not recorded 1 Not recorded 0" in page
    assert COMMITMENTS in client.get("/funding/").get_data(as_text=True)
    progress = list(csv.reader(io.StringIO(client.get("/funding/progress.csv").get_data(as_text=True))))
    assert progress[1] == ["Phase one (2012)", "2012/13", "Families funded", "", "", "1", "", "0"]


@pytest.mark.parametrize(
    ("role", "status"),
    [("finance", 200), ("admin", 200), ("manager", 403), ("coordinator", 403), ("lead_worker", 403), ("auditor", 403)],
)
def test_only_finance_and_administrators_set_commitments(client, make, clean, role, status):
    sign_in(client, make.user(role).email)
    assert client.get(COMMITMENTS).status_code == status
    form = {"programme": "phase1", "financial_year": "2012/13", "families_committed": "244"}
    assert submit(client, COMMITMENTS, form).status_code == (302 if status == 200 else 403)
    with clean.app_context():
        stored = db.session.scalars(select(FundingCommitment)).all()
    assert len(stored) == (1 if status == 200 else 0)
    dashboard = client.get("/funding/")
    if role == "manager":  # the manager reads the dashboard, without the link to set commitments
        assert dashboard.status_code == 200
        assert COMMITMENTS not in dashboard.get_data(as_text=True)


def test_finance_records_a_commitment_on_the_page(client, make, clean):
    finance = make.user("finance")
    sign_in(client, finance.email)
    assert COMMITMENTS in client.get("/funding/").get_data(as_text=True)

    bad = submit(
        client,
        COMMITMENTS,
        {"programme": "", "financial_year": "2012/14", "families_committed": "many", "families_funded": "-1"},
    )
    assert bad.status_code == 400
    summary = error_summary(bad)
    assert "Choose the programme the commitment is for" in summary
    assert "Enter the financial year like 2012/13" in summary
    assert "Enter the families committed as a whole number, 0 or more" in summary
    assert "Enter the families funded as a whole number, 0 or more" in summary
    early = submit(client, COMMITMENTS, {"programme": "phase1", "financial_year": "2009/10", "families_committed": "5"})
    assert "The financial year must be between 2012/13 and" in error_summary(early)
    over = submit(
        client,
        COMMITMENTS,
        {"programme": "phase1", "financial_year": "2012/13", "families_committed": "244", "families_funded": "245"},
    )
    assert "The families funded must be at most the families committed (244)" in error_summary(over)
    assert audit_entries(clean, "funding_commitment.set") == []

    good = submit(
        client, COMMITMENTS, {"programme": "phase1", "financial_year": "2012/13", "families_committed": "244"}
    )
    assert good.status_code == 302
    page = text(client.get(COMMITMENTS))
    assert "Phase one (2012) 2012/13: 244 families committed, 203 funded (the default: 244 less one sixth)." in page
    assert "Phase one (2012) 2012/13 244 203 (the default: 244 less one sixth) 0" in page

    entered = submit(
        client,
        COMMITMENTS,
        {"programme": "phase1", "financial_year": "2013/14", "families_committed": "365", "families_funded": "305"},
    )
    assert entered.status_code == 302
    assert "2013/14 365 305 (the government’s figure)" in text(client.get(COMMITMENTS))

    [(summary, before, after, user_id)] = audit_entries(clean, "funding_commitment.set")[:1]
    assert summary == "Phase one (2012) 2012/13: 244 families committed, 203 funded (the default: 244 less one sixth)"
    assert before is None
    assert after["families_funded"] == 203 and after["entered"] is False
    assert user_id == finance.id

    # recorded again with a new figure: the change is audited with what it was
    submit(client, COMMITMENTS, {"programme": "phase1", "financial_year": "2012/13", "families_committed": "250"})
    latest = audit_entries(clean, "funding_commitment.set")[-1]
    assert latest[1]["families_committed"] == 244 and latest[2]["families_committed"] == 250
    # the same again changes nothing and writes no audit entry
    same = submit(
        client, COMMITMENTS, {"programme": "phase1", "financial_year": "2012/13", "families_committed": "250"}
    )
    assert same.status_code == 302
    assert "nothing has changed" in text(client.get(COMMITMENTS))
    assert len(audit_entries(clean, "funding_commitment.set")) == 3


def test_finance_sets_a_programmes_fee_basis(client, make, clean):
    admin = make.user("admin")
    sign_in(client, admin.email)
    page = text(client.get(COMMITMENTS))
    assert "Phase one (2012) The families funded by the commitment" in page
    assert "Phase two (2015) Each family attached" in page
    bad = submit(client, f"{COMMITMENTS}/basis", {"programme": "phase2", "basis": ""})
    assert bad.status_code == 400
    assert "Choose how the programme’s attachment fees fall due" in error_summary(bad)
    good = submit(client, f"{COMMITMENTS}/basis", {"programme": "phase2", "basis": "commitment"})
    assert good.status_code == 302
    assert "Phase two (2015) The families funded by the commitment" in text(client.get(COMMITMENTS))
    [(summary, before, after, user_id)] = audit_entries(clean, "fee_basis.set", "phase2")
    assert summary == (
        "Phase two (2015): attachment fees fall due for the families funded by the commitment "
        "(was each family attached)"
    )
    assert (before, after, user_id) == ({"basis": "attached"}, {"basis": "commitment"}, admin.id)


def test_the_operation_refuses_what_the_cli_and_page_would(clean):
    with clean.app_context():
        with pytest.raises(Refused) as refused:
            set_commitment("phase3", "2012-13", -1, 2, None)
        assert set(refused.value.problems) == {"programme", "financial_year", "families_committed"}
        with pytest.raises(Refused):
            set_commitment("phase1", "2012/13", True, None, None)  # a flag is not a number
        assert db.session.scalars(select(FundingCommitment)).all() == []


@pytest.fixture
def run(clean):
    runner = clean.test_cli_runner()

    def invoke(*args):
        return runner.invoke(args=["funding", *args])

    return invoke


def test_the_command_records_a_commitment(run, clean):
    done = run("commitment", "phase1", "2012/13", "--committed", "244")
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == "phase1 2012/13: 244 families committed, 203 funded (the default: 244 less one sixth)"
    entered = run("commitment", "phase1", "2013/14", "--committed", "365", "--funded", "305")
    assert entered.exit_code == 0
    assert "305 funded (the government’s figure)" in entered.stdout
    again = run("commitment", "phase1", "2013/14", "--committed", "365", "--funded", "305")
    assert again.exit_code == 0 and "unchanged" in again.stdout
    with clean.app_context():
        assert [(c.committed, c.funded) for c in commitments().values()] == [(244, 203), (365, 305)]
    [first, _second] = audit_entries(clean, "funding_commitment.set")
    assert first[0] == "Phase one (2012) 2012/13: 244 families committed, 203 funded (the default: 244 less one sixth)"
    assert first[3] is None  # no signed-in user: the command's own entry
    assert _rows(clean)["phase1", "2013/14"].fees_due == 732_000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("phase3", "2012/13", "--committed", "5"), "Choose the programme the commitment is for"),
        (("phase1", "2012-13", "--committed", "5"), "Enter the financial year like 2012/13"),
        (("phase1", "2001/02", "--committed", "5"), "The financial year must be between 2012/13 and"),
        (("phase1", "2012/13", "--committed", "-5"), "Enter the families committed as a whole number, 0 or more"),
        (("phase1", "2012/13", "--committed", "5", "--funded", "6"), "at most the families committed (5)"),
        (("phase1", "2012/13", "--committed", "five"), "'five' is not a valid integer"),
        (("phase1", "2012/13"), "Missing option '--committed'"),
    ],
)
def test_the_command_refuses_unusable_input_with_exit_2(run, clean, args, message):
    refused = run("commitment", *args)
    assert refused.exit_code == 2
    assert message in refused.stderr
    assert refused.stdout == ""
    with clean.app_context():
        assert db.session.scalars(select(FundingCommitment)).all() == []
    assert audit_entries(clean, "funding_commitment.set") == []
