"""The funding dashboard: attachment fees and results claimed against what is available, with
the totals moving when a claim is submitted; recording fees received; who may see it; results
claimed by commissioned provider; each programme's end date as an administrator's setting."""

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from tests.case_work import audit_entries, error_summary, text
from tests.conftest import build_app
from tests.helpers import sign_in, submit
from tests.test_outcomes_cli import _example_one
from tff.cases.models import Family
from tff.cases.referrals.models import Provider, Referral
from tff.claims import operations as claims
from tff.extensions import db
from tff.funding.commitments import set_commitment
from tff.funding.drawdown import Funding, YearRow, funding, trajectory
from tff.funding.operations import End, default_end, programme_ends
from tff.funding.views import _ends_in_words
from tff.outcomes import evaluation as evaluations
from tff.outcomes.plan_versions.operations import store_shipped


@pytest.fixture
def cohort(clean):
    """Two families attached in 2012/13 (fee £3,200; continuous employment £800), each with
    crime/ASB/education claimable at £700 as of 2013-07-31; two families committed that year,
    so two funded (2 less one sixth, to the nearest family)."""
    _example_one(clean, "F001")
    _example_one(clean, "F002")
    with clean.app_context():
        set_commitment("phase1", "2012/13", 2, None, None)
    return clean


def _line_at(app, label: str) -> tuple[int, list[str]]:
    """The line to claim everything at the point labelled `label`, and every label, as the
    dashboard draws them."""
    with app.app_context():
        labels, _claimed, target, _forecast = trajectory(funding(), {p: e.ends_on for p, e in programme_ends().items()})
    return target[labels.index(label)], labels


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
    assert "Results claimed £1,400 for 2 families (£1,000 paid, £400 not yet paid)" in page
    # the money received: no fee recorded as received yet, and the payment
    assert "Drawn down £1,000 (12.5% of what is available)" in page
    # families, claimed, paid, still to be paid, overpaid, clawed back
    assert "2013-07 2013-07-31 2 £1,400 £1,000 £400 £0 £0" in page
    assert 'role="img"' in after.get_data(as_text=True)  # the trajectory, drawn on the server


def test_each_table_downloads_as_csv(client, make, cohort):
    _claim(cohort)
    sign_in(client, make.user("finance").email)
    response = client.get("/funding/windows.csv")
    assert response.status_code == 200
    assert "funding-windows.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [
        ["window", "as_of", "families", "claimed", "paid", "still_to_be_paid", "overpaid", "clawed_back"],
        ["2013-07", "2013-07-31", "2", "1400", "1000", "400", "0", "0"],
    ]
    years = list(csv.reader(io.StringIO(client.get("/funding/years.csv").get_data(as_text=True))))
    # fees due, received; results available, claimed, paid, not yet paid; available, drawn down
    assert years[1] == ["Phase one (2012)", "2012/13", "6400", "0", "1600", "1400", "1000", "400", "8000", "80", "1000"]
    progress = list(csv.reader(io.StringIO(client.get("/funding/progress.csv").get_data(as_text=True))))
    assert progress[1] == ["Phase one (2012)", "2012/13", "Families funded", "2", "2", "2", "100", "0"]
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


def _csv(client, name: str) -> list[list[str]]:
    response = client.get(f"/funding/{name}.csv")
    assert response.status_code == 200
    assert f"funding-{name}.csv" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def _refer(app, referrals: list[tuple[str, str, str]]) -> None:
    """(family reference, provider name, state) for each referral; providers made as needed."""
    with app.app_context():
        for reference, name, state in referrals:
            provider = db.session.scalar(select(Provider).where(Provider.name == name))
            if provider is None:
                provider = Provider(name=name, service_type="family_support")
                db.session.add(provider)
                db.session.flush()
            family_id = db.session.scalar(select(Family.id).where(Family.reference == reference))
            db.session.add(
                Referral(
                    family_id=family_id,
                    provider_id=provider.id,
                    reason="Needs support",
                    state=state,
                    requested_on=date(2012, 10, 1),
                )
            )
        db.session.commit()


def test_results_claimed_by_the_provider_families_were_referred_to(client, make, cohort):
    make.family("F003", status="attached", attached_on=date(2012, 9, 15))  # referred, no evidence: no result
    make.family("F004", status="attached", attached_on=date(2013, 6, 1))  # never referred
    make.family("F005", status="identified")  # not attached: not in the cohort's money
    _refer(
        cohort,
        [
            ("F001", "Acorn Family Support", "accepted"),
            ("F001", "Beacon MST", "requested"),
            ("F001", "Cedar Mediation", "closed"),
            ("F001", "Cedar Mediation", "requested"),  # referred again: counted once
            ("F002", "Acorn Family Support", "declined"),  # left out: F002 counts as not referred
            ("F003", "Beacon MST", "accepted"),
        ],
    )
    _claim(cohort, submit_it=False)
    sign_in(client, make.user("manager").email)
    draft = _csv(client, "providers")
    assert draft[1] == ["Acorn Family Support", "1", "0", "0", "0"]  # a draft claims nothing

    with cohort.app_context():
        claims.submit(claims.get_window("2013-07"))
    assert _csv(client, "providers") == [
        ["provider", "families_referred", "families_with_results_claimed", "results", "amount"],
        ["Acorn Family Support", "1", "1", "1", "700"],
        ["Beacon MST", "2", "1", "1", "700"],
        ["Cedar Mediation", "1", "1", "1", "700"],
        ["No referral", "2", "1", "1", "700"],  # F002 (declined) and F004
    ]
    page = text(client.get("/funding/"))
    assert "Results claimed £1,400" in page
    assert "Beacon MST 2 1 1 £700" in page
    assert "counts for each of them, so the rows do not add up to the total" in page


def test_without_providers_the_page_says_no_family_was_referred(client, make, cohort):
    _claim(cohort)
    sign_in(client, make.user("finance").email)
    assert "No family has been referred to a commissioned provider yet." in text(client.get("/funding/"))
    assert _csv(client, "providers")[1:] == [["No referral", "2", "2", "2", "1400"]]


PROGRAMME_ENDS = "/admin/funding/programme-ends"


@pytest.mark.parametrize("role", ["manager", "finance", "coordinator", "lead_worker", "auditor"])
def test_only_administrators_set_programme_end_dates(client, make, clean, role):
    sign_in(client, make.user(role).email)
    assert client.get(PROGRAMME_ENDS).status_code == 403
    assert client.post(PROGRAMME_ENDS, data={"programme": "phase1"}).status_code in (400, 403)
    assert "Programme end dates" not in text(client.get("/funding/"))


def test_an_administrator_sets_a_programme_end_date(client, make, cohort):
    _claim(cohort)
    admin = make.user("admin")
    sign_in(client, admin.email)
    settings = client.get("/admin/evidence/")
    assert PROGRAMME_ENDS in settings.get_data(as_text=True)
    page = text(client.get(PROGRAMME_ENDS))
    assert "Phase one (2012) 30 April 2015 The default" in page
    assert "Supporting Families (2022) 31 March 2025 The default" in page

    bad = submit(client, PROGRAMME_ENDS, {"programme": "", "ends_on": ["31", "2", "2015"]})
    assert bad.status_code == 400
    summary = error_summary(bad)
    assert "Choose the programme" in summary
    assert "End date must be a real date, like 31 7 2013" in summary
    early = submit(client, PROGRAMME_ENDS, {"programme": "phase1", "ends_on": ["1", "7", "2013"]})
    assert "The end date must be after the first submitted claim window, 31 July 2013" in error_summary(early)
    empty = submit(client, PROGRAMME_ENDS, {"programme": "phase1"})
    assert "Enter the day the programme’s funding ends" in error_summary(empty)
    assert audit_entries(cohort, "programme_end.set") == []

    good = submit(client, PROGRAMME_ENDS, {"programme": "phase1", "ends_on": ["31", "3", "2016"]})
    assert good.status_code == 302
    after = text(client.get(PROGRAMME_ENDS))
    assert "Phase one (2012) now ends on 31 March 2016." in after
    assert "Phase one (2012) 31 March 2016 An administrator" in after
    assert "Phase two (2015) 31 March 2020 The default" in after
    [(summary, before, changed, user_id)] = audit_entries(cohort, "programme_end.set", "phase1")
    assert summary == "Phase one (2012) ends on 31 March 2016 (was 30 April 2015, the default)"
    assert before == {"ends_on": "2015-04-30", "set": False}
    assert changed == {"ends_on": "2016-03-31", "set": True}
    assert user_id == admin.id
    # the dashboard's line now runs to the new date
    assert "claims them all by 31 March 2016" in client.get("/funding/").get_data(as_text=True)

    same = submit(client, PROGRAMME_ENDS, {"programme": "phase1", "ends_on": ["31", "3", "2016"]})
    assert same.status_code == 302
    assert "nothing has changed" in text(client.get(PROGRAMME_ENDS))
    assert len(audit_entries(cohort, "programme_end.set")) == 1


def test_the_line_to_claim_everything_follows_the_end_date(client, make, cohort):
    """Two families' results (2 x £800) spread from the first window (31 July 2013) to the end."""
    _claim(cohort)
    with cohort.app_context():
        window = claims.create_window("2014-01", date(2014, 1, 31), sample_percent=0)
        assert claims.start_assembly(window, queue=False).state == "succeeded"
        claims.submit(window)
    admin = make.user("admin")
    sign_in(client, admin.email)
    # by default (30 April 2015): 184 of 638 days have passed by the second window, and the
    # line goes on past it to the end
    assert _line_at(cohort, "2014-01") == (461, ["2013-07", "2014-01", "30 April 2015, end of Phase one (2012)"])
    default = client.get("/funding/").get_data(as_text=True)
    assert "To claim all by the end rose from £0 to £1,600 by 30 April 2015, end of Phase one (2012)" in default
    submit(client, PROGRAMME_ENDS, {"programme": "phase1", "ends_on": ["31", "1", "2014"]})
    moved = client.get("/funding/").get_data(as_text=True)
    # ending on the last window's day, there is nothing after it
    assert "To claim all by the end rose from £0 to £1,600 by 2014-01." in moved
    assert "claims them all by 31 January 2014" in moved


def test_the_line_sums_each_programme_over_its_own_time():
    result = Funding(
        years=[
            YearRow("phase1", "2012/13", families=10, fees_due=1000, results_available=10_000),
            YearRow("phase2", "2015/16", families=5, fees_due=500, results_available=4_000),
        ],
        by_window=[("w1", date(2015, 1, 1), 0, 0), ("w2", date(2015, 1, 11), 0, 0), ("w3", date(2015, 1, 21), 0, 0)],
    )
    ends = {"phase1": date(2015, 1, 11), "phase2": date(2015, 2, 10), "supporting_families": date(2030, 1, 1)}
    labels, _claimed, target, _forecast = trajectory(result, ends)
    # phase one is all claimable by its end on the 11th; phase two by a quarter and a half of its
    # 40 days, then all of it at its end (Supporting Families has nothing to claim: no point)
    assert target == [0, 10_000 + 1_000, 10_000 + 2_000, 14_000]
    assert labels[3:] == ["10 February 2015, end of Phase two (2015)"]


def test_the_chart_names_each_programmes_end_when_they_differ():
    result = Funding(
        years=[
            YearRow("phase1", "2012/13", families=10, fees_due=1000, results_available=10_000),
            YearRow("phase2", "2015/16", families=5, fees_due=500, results_available=4_000),
        ]
    )
    same = {p: End(p, date(2015, 4, 30), False) for p in ("phase1", "phase2", "supporting_families")}
    assert _ends_in_words(result, same) == "30 April 2015"
    differ = {**same, "phase2": End("phase2", date(2020, 3, 31), True)}
    # Supporting Families has no families: its end is not named
    assert _ends_in_words(result, differ) == (
        "each programme’s end: Phase one (2012) 30 April 2015; Phase two (2015) 31 March 2020"
    )


def test_each_programme_ends_on_its_own_default_until_an_administrator_sets_it(client, make, clean):
    """Phase one's funding ran to 30 April 2015, phase two's to 31 March 2020, Supporting
    Families' to 31 March 2025: before phase two and Supporting Families began, not one date."""
    with clean.app_context():
        ends = programme_ends()
    assert {p: (e.ends_on, e.is_set) for p, e in ends.items()} == {
        "phase1": (date(2015, 4, 30), False),
        "phase2": (date(2020, 3, 31), False),
        "supporting_families": (date(2025, 3, 31), False),
    }
    admin = make.user("admin")
    sign_in(client, admin.email)
    page = text(client.get(PROGRAMME_ENDS))
    assert "Phase one (2012) 30 April 2015 The default" in page
    assert "Phase two (2015) 31 March 2020 The default" in page
    assert "Supporting Families (2022) 31 March 2025 The default" in page
    assert (
        "ends on its default: Phase one (2012) 30 April 2015, Phase two (2015) 31 March 2020, "
        "Supporting Families (2022) 31 March 2025." in page
    )

    moved = submit(client, PROGRAMME_ENDS, {"programme": "supporting_families", "ends_on": ["31", "3", "2026"]})
    assert moved.status_code == 302
    after = text(client.get(PROGRAMME_ENDS))
    assert "Supporting Families (2022) 31 March 2026 An administrator" in after
    assert "Phase two (2015) 31 March 2020 The default" in after
    [(summary, before, _after, _user)] = audit_entries(clean, "programme_end.set", "supporting_families")
    assert summary == "Supporting Families (2022) ends on 31 March 2026 (was 31 March 2025, the default)"
    assert before == {"ends_on": "2025-03-31", "set": False}


def test_phase_one_keeps_its_configured_default(database_url):
    """TFF_PROGRAMME_END (`PROGRAMME_END`) is phase one's default, as it always was in effect;
    the later programmes keep theirs."""
    app = build_app(database_url, PROGRAMME_END="2016-03-31")
    with app.app_context():
        assert default_end("phase1") == date(2016, 3, 31)
        assert default_end("phase2") == date(2020, 3, 31)
        assert default_end("supporting_families") == date(2025, 3, 31)


def test_the_line_runs_to_each_programmes_own_default_end(client, make, cohort):
    """Phase one's £1,600 of results to 30 April 2015 (184 of 638 days by 2014-01), a phase two
    family's £800 to 31 March 2020 (184 of 2,435 days) and a Supporting Families family's £800
    to 31 March 2025 (184 of 4,261 days): 461.44 + 60.45 + 34.55 = £556. With every programme
    ending on 30 April 2015 it would be 3,200 x 184 / 638 = £923."""
    _claim(cohort)
    with cohort.app_context():
        store_shipped(None)  # in force from 1 April 2015 and 1 October 2022
    make.family("P201", programme="phase2", status="attached", attached_on=date(2015, 6, 1))
    make.family("S301", programme="supporting_families", status="attached", attached_on=date(2022, 11, 1))
    with cohort.app_context():
        window = claims.create_window("2014-01", date(2014, 1, 31), sample_percent=0)
        assert claims.start_assembly(window, queue=False).state == "succeeded"
        claims.submit(window)
    admin = make.user("admin")
    sign_in(client, admin.email)
    line, labels = _line_at(cohort, "2014-01")
    assert line == 556
    # then on to each end: phase one's £1,600 all, phase two 638 of 2,435 days and Supporting
    # Families 638 of 4,261 (1,600 + 209.6 + 119.8); everything but Supporting Families' 2,435
    # of 4,261 days (2,400 + 457.2); everything
    assert labels[2:] == [
        "30 April 2015, end of Phase one (2012)",
        "31 March 2020, end of Phase two (2015)",
        "31 March 2025, end of Supporting Families (2022)",
    ]
    assert [_line_at(cohort, label)[0] for label in labels[2:]] == [1_929, 2_857, 3_200]
    page = client.get("/funding/").get_data(as_text=True)
    assert "To claim all by the end rose from £0 to £3,200 by 31 March 2025, end of Supporting Families (2022)" in page
    assert (
        "each programme’s end: Phase one (2012) 30 April 2015; Phase two (2015) 31 March 2020; "
        "Supporting Families (2022) 31 March 2025" in page
    )
    # the administrator's setting still decides: phase two to 31 July 2014 (184 of 365 days)
    submit(client, PROGRAMME_ENDS, {"programme": "phase2", "ends_on": ["31", "7", "2014"]})
    assert _line_at(cohort, "2014-01")[0] == 899
    moved = client.get("/funding/").get_data(as_text=True)
    assert "Phase two (2015) 31 July 2014" in moved


def test_the_trajectory_worked_by_hand_claims_what_is_left_by_the_end_and_forecasts_the_near_misses():
    result = Funding(
        years=[YearRow("phase1", "2012/13", families=10, fees_due=1000, results_available=10_000)],
        by_window=[("w1", date(2015, 1, 1), 1_000, 0), ("w2", date(2015, 1, 11), 500, 0)],
        near_misses=(date(2015, 1, 16), 700),
    )
    ends = {"phase1": date(2015, 1, 21), "phase2": date(2020, 3, 31), "supporting_families": date(2025, 3, 31)}
    labels, claimed, target, forecast = trajectory(result, ends)
    assert labels == ["w1", "w2", "Near misses as of 2015-01-16", "21 January 2015, end of Phase one (2012)"]
    # claimed window by window, added up
    assert claimed == [1_000, 1_500, None, None]
    # £10,000 over the 20 days to the end: half by day 10, three quarters by day 15, all by the end
    assert target == [0, 5_000, 7_500, 10_000]
    # the forecast starts from what is claimed and adds the £700 nearly in reach
    assert forecast == [None, 1_500, 2_200, None]
