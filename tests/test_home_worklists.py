"""Each role's home page is a worklist: what waits for the person signed in, every count a link
to the list it counts."""

import re
from datetime import date, datetime, timedelta

import pytest

from tests.case_work import ago, ahead, text
from tests.helpers import sign_in
from tests.imports_support import events_csv, run_import
from tff.auth.models import User
from tff.cases.caf.models import Action
from tff.cases.models import FamilyCriterion
from tff.cases.models.identification import CONFIRMED
from tff.claims.models import SUBMITTED, ClaimBatch, ClaimLine, ClaimWindow, Payment
from tff.extensions import db
from tff.funding.drawdown import funding
from tff.identification import engine
from tff.jobs.models import Job
from tff.outcomes.models import Evaluation, OutcomeDecision
from tff.outcomes.verified.models import APPROVED, PROPOSED, VerifiedOutcome
from tff.outcomes.views import TITLES
from tff.privacy.operations import set_retention_years
from tff.timeutil import utcnow


def _outcome(app, family_id: int, state: str, title: str = "Into work") -> None:
    with app.app_context():
        db.session.add(
            VerifiedOutcome(
                family_id=family_id,
                code="work",
                title=title,
                evidence_note="Payslip seen",
                achieved_on=ago(10),
                state=state,
            )
        )
        db.session.commit()


def _window(app, name: str, as_of: date, *, assembled=False, sampled=False, lines=(), state=None, paid=0) -> int:
    """A claim window at a stage: lines are (family id, amount, sampled, checked)."""
    with app.app_context():
        window = ClaimWindow(name=name, as_of=as_of, sample_percent=10)
        db.session.add(window)
        db.session.flush()
        batch = ClaimBatch(
            window_id=window.id,
            assembled_at=ago(5) if assembled else None,
            sampled_at=ago(4) if sampled else None,
        )
        db.session.add(batch)
        db.session.flush()
        for index, (family_id, amount, in_sample, checked) in enumerate(lines):
            db.session.add(
                ClaimLine(
                    batch_id=batch.id,
                    family_id=family_id,
                    family_ref=f"ref{family_id}",
                    # a family's result is claimed once: each line here is a result of its own
                    outcome=f"result{window.id}_{index}",
                    attachment_year="2013/14",
                    amount=amount,
                    rule_set="phase1",
                    sampled=in_sample,
                    audit_state="verified" if checked else None,
                )
            )
        db.session.flush()
        if state:
            batch.state = state
        if paid:
            db.session.add(Payment(window_id=window.id, amount=paid, paid_on=ago(1)))
        db.session.commit()
        return window.id


def _links(html: str) -> dict[str, str]:
    """Each link's words (tags and hidden words included) by its address."""
    return {
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", words)).strip(): href
        for href, words in re.findall(r'<a class="govuk-link" href="([^"]+)">(.*?)</a>', html, re.S)
    }


def test_a_manager_sees_the_outcomes_waiting_for_approval_as_a_link_to_the_queue(client, make, clean):
    manager = make.user("manager")
    one = make.family("F1", status="attached", attached_on=ago(200))
    two = make.family("F2", status="attached", attached_on=ago(200))
    _outcome(clean, one.id, PROPOSED)
    _outcome(clean, two.id, PROPOSED, "Child back in school")
    _outcome(clean, two.id, APPROVED, "Off benefits")
    sign_in(client, manager.email)

    page = client.get("/").get_data(as_text=True)

    assert _links(page)["2 verified outcomes waiting for approval"] == "/verified-outcomes"
    queue = text(client.get("/verified-outcomes"))
    assert "Into work" in queue and "Child back in school" in queue and "Off benefits" not in queue


def test_a_manager_with_nothing_to_approve_is_told_so(client, make):
    sign_in(client, make.user("manager").email)

    assert "No verified outcomes are waiting for approval." in text(client.get("/"))


@pytest.mark.parametrize("role", ["manager", "finance"])
def test_the_funding_headline_is_the_funding_pages_totals_and_links_to_it(client, make, clean, role):
    family = make.family("F1", status="attached", attached_on=ago(200))
    _window(clean, "July 2013", date(2013, 7, 31), assembled=True, sampled=True, lines=[(family.id, 800, 0, 0)])
    with clean.app_context():
        result = funding()
        drawn, available = result.total("drawn"), result.total("available")
    sign_in(client, make.user(role).email)

    page = client.get("/").get_data(as_text=True)

    assert _links(page)[f"£{drawn:,} drawn down of £{available:,} available"] == "/funding/"


def test_finance_sees_each_claim_window_and_what_it_waits_for(client, make, clean):
    f1 = make.family("F1", status="attached", attached_on=ago(300))
    f2 = make.family("F2", status="attached", attached_on=ago(300))
    ids = {
        "Jan 2013": _window(clean, "Jan 2013", date(2013, 1, 31)),
        "Feb 2013": _window(clean, "Feb 2013", date(2013, 2, 28), assembled=True),
        "Mar 2013": _window(
            clean,
            "Mar 2013",
            date(2013, 3, 31),
            assembled=True,
            sampled=True,
            lines=[(f1.id, 800, True, False), (f2.id, 800, True, True)],
        ),
        "Apr 2013": _window(
            clean, "Apr 2013", date(2013, 4, 30), assembled=True, sampled=True, lines=[(f1.id, 800, True, True)]
        ),
        "May 2013": _window(
            clean,
            "May 2013",
            date(2013, 5, 31),
            assembled=True,
            sampled=True,
            lines=[(f1.id, 800, False, False), (f2.id, 1000, False, False)],
            state=SUBMITTED,
            paid=400,
        ),
        "Jun 2013": _window(
            clean,
            "Jun 2013",
            date(2013, 6, 30),
            assembled=True,
            sampled=True,
            lines=[(f2.id, 1000, False, False)],
            state=SUBMITTED,
            paid=1000,
        ),
    }
    sign_in(client, make.user("finance").email)

    response = client.get("/")
    page = response.get_data(as_text=True)
    rows = {
        name: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        for name, row in re.findall(r'<tr class="govuk-table__row" data-window="([^"]+)">(.*?)</tr>', page, re.S)
    }

    assert list(rows) == ["Jun 2013", "May 2013", "Apr 2013", "Mar 2013", "Feb 2013", "Jan 2013"]
    assert rows["Jan 2013"].endswith("To assemble")
    assert rows["Feb 2013"].endswith("Audit sample to draw")
    assert rows["Mar 2013"].endswith("Audit sample being checked: 1 left")
    assert rows["Apr 2013"].endswith("Ready to check and submit")
    assert rows["May 2013"].endswith("Submitted, awaiting payment: £1,400 outstanding, £400 paid")
    assert rows["Jun 2013"].endswith("Paid")
    links = _links(page)
    for name, window_id in ids.items():
        assert links[name] == f"/claims/{window_id}"
        assert client.get(f"/claims/{window_id}").status_code == 200


def test_finance_without_windows_is_offered_to_create_one(client, make):
    sign_in(client, make.user("finance").email)

    page = client.get("/").get_data(as_text=True)

    assert "There are no claim windows yet." in page
    assert _links(page)["Create a claim window"] == "/claims/new"


def test_other_roles_see_no_money_or_approvals(client, make):
    sign_in(client, make.user("lead_worker").email)

    page = text(client.get("/"))

    assert "drawn down of" not in page and "waiting for approval" not in page and "Claim windows" not in page


def test_a_coordinator_sees_what_waits_as_counts_that_link_to_their_lists(client, make, clean):
    worker = make.user("lead_worker")
    national = [("national", code) for code in engine.PHASE1_NATIONAL]
    for reference in ("E1", "E2"):
        family = make.family(reference, identified_on=date(2013, 1, 1))
        with clean.app_context():
            for kind, code in national:
                db.session.add(FamilyCriterion(family_id=family.id, kind=kind, code=code, source=CONFIRMED))
            db.session.commit()
    make.family("N1", identified_on=date(2013, 1, 1))
    led = make.family("A1", lead_worker_id=worker.id, status="attached", attached_on=ago(200))
    with clean.app_context():
        db.session.add_all(
            [
                Action(family_id=led.id, description="Book the GP", owner="Mum", agreed_on=ago(60), due_on=ago(5)),
                Action(family_id=led.id, description="Visit school", owner="Mum", agreed_on=ago(60), due_on=ago(2)),
                Action(family_id=led.id, description="Join the gym", owner="Dad", agreed_on=ago(6), due_on=ahead(9)),
            ]
        )
        db.session.commit()
    data = events_csv(
        {"person_ref": "X-1", "kind": "offence", "date": "2013-04-02", "reference": "P9", "source": "police"},
        {"person_ref": "X-2", "kind": "asb", "date": "2013-04-03", "reference": "P10", "source": "police"},
    )
    assert run_import(clean, "events", data, filename="police.csv").unmatched == 2
    sign_in(client, make.user("coordinator").email)

    page = client.get("/").get_data(as_text=True)
    links = _links(page)

    assert links["2 families eligible to attach, waiting for a decision"] == "/identification/?group=eligible"
    assert links["2 overdue actions and reviews across the families"] == "#overdue-work"
    assert links["2 unmatched evidence rows waiting"] == "/evidence/unmatched"
    assert 'id="overdue-work"' in page and "Book the GP" in page and "Join the gym" not in page
    listed = client.get("/identification/?group=eligible").get_data(as_text=True)
    assert re.findall(r'data-family="([^"]+)"', listed) == ["E1", "E2"]
    assert "P9" in text(client.get("/evidence/unmatched")) or "X-1" in text(client.get("/evidence/unmatched"))


#: the result the near misses here are of: crime, anti-social behaviour and education
RESULT = next(iter(TITLES))


def _evaluation(app, as_of: date, decisions) -> None:
    """A finished evaluation of the cohort: decisions are (family id, reference, outcome, days away or None)."""
    with app.app_context():
        evaluation = Evaluation(as_of=as_of, finished_at=datetime(2013, 9, 1))
        db.session.add(evaluation)
        db.session.flush()
        for family_id, reference, outcome, near_miss in decisions:
            db.session.add(
                OutcomeDecision(
                    evaluation_id=evaluation.id,
                    family_id=family_id,
                    family_ref=reference,
                    rule_set="phase1",
                    outcome=outcome,
                    met=False,
                    claimable=False,
                    at_stake=800 if near_miss is not None else None,
                    missing=["One more term of attendance"] if near_miss is not None else [],
                    near_miss=near_miss,
                )
            )
        db.session.commit()


def test_a_lead_worker_sees_the_near_misses_of_their_own_families_in_the_latest_evaluation(client, make, clean):
    worker = make.user("lead_worker")
    other = make.user("lead_worker")
    mine = make.family("F1", lead_worker_id=worker.id, status="attached", attached_on=ago(300))
    quiet = make.family("F2", lead_worker_id=worker.id, status="attached", attached_on=ago(300))
    theirs = make.family("F3", lead_worker_id=other.id, status="attached", attached_on=ago(300))
    old = make.family("F4", lead_worker_id=worker.id, status="attached", attached_on=ago(300))
    _evaluation(clean, date(2013, 5, 31), [(old.id, "F4", RESULT, 10)])
    _evaluation(
        clean,
        date(2013, 8, 31),
        [(mine.id, "F1", RESULT, 20), (quiet.id, "F2", RESULT, None), (theirs.id, "F3", RESULT, 5)],
    )
    sign_in(client, worker.email)

    page = client.get("/").get_data(as_text=True)
    rows = re.findall(r'<tr class="govuk-table__row" data-family="([^"]+)">', page)

    shown = text(client.get("/"))
    assert "1 near miss in your families as of 31 Aug 2013" in shown
    assert "Crime, anti-social behaviour and education" in shown and "One more term of attendance" in shown
    assert rows == ["F1"]
    assert _links(page)["F1"] == "/families/F1/results?as_of=2013-08-31"
    assert client.get("/families/F1/results?as_of=2013-08-31").status_code == 200


def test_a_lead_worker_before_any_evaluation_is_told_so(client, make):
    sign_in(client, make.user("lead_worker").email)

    assert "The cohort's results have not been worked out yet." in text(client.get("/"))


def _job(app, title: str, state: str, finished_days_ago: int) -> int:
    with app.app_context():
        job = Job(
            kind="attendance.import",
            title=title,
            state=state,
            started_at=utcnow() - timedelta(days=finished_days_ago, hours=1),
            finished_at=utcnow() - timedelta(days=finished_days_ago),
        )
        db.session.add(job)
        db.session.commit()
        return job.id


def test_an_administrator_sees_the_jobs_that_failed_this_week_each_a_link(client, make, clean):
    recent = _job(clean, "Import attendance from spring.csv", "failed", 2)
    _job(clean, "Import attendance from winter.csv", "failed", 9)
    _job(clean, "Import attendance from summer.csv", "succeeded", 1)
    sign_in(client, make.user("admin").email)

    page = client.get("/").get_data(as_text=True)
    failed = page.split('id="failed-jobs"')[1].split("</ul>")[0]

    assert _links(failed) == {"Import attendance from spring.csv": f"/jobs/{recent}"}
    assert client.get(f"/jobs/{recent}").status_code == 200


def test_an_administrator_sees_the_settings_not_yet_made_and_where_to_make_them(client, make, clean):
    make.family("F1", status="attached", attached_on=ago(300))
    admin = make.user("admin")
    sign_in(client, admin.email)

    page = client.get("/").get_data(as_text=True)
    settings = text(client.get("/")).split("Settings not yet made")[1]
    hrefs = set(_links(page.split('id="settings"')[1].split("</ul>")[0]).values())

    assert "No retention period is set for closed families’ personal data: the default of 6 years applies" in settings
    assert "No end date is set for " in settings and "No commitment is recorded for " in settings
    assert hrefs == {"/privacy/retention", "/admin/funding/programme-ends", "/funding/commitments"}
    for href in hrefs:
        assert client.get(href).status_code == 200

    with clean.app_context():
        set_retention_years(7, db.session.get(User, admin.id))
        db.session.commit()
    assert "No retention period is set" not in text(client.get("/"))


def test_an_administrator_with_nothing_failed_or_unset_is_told_so(client, make, clean):
    admin = make.user("admin")
    with clean.app_context():
        set_retention_years(7, db.session.get(User, admin.id))
        db.session.commit()
    sign_in(client, admin.email)

    shown = text(client.get("/"))

    assert "No job has failed in the last 7 days." in shown and "Every setting has been made." in shown
