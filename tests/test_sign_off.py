"""Manager sign-off: a lead worker or coordinator proposes closing a case or stepping a family
down from social care; a manager approves it (the change is made then) or returns it with a
reason; the proposer may withdraw it. Every step is in the family's audit trail."""

import re

import pytest
from sqlalchemy import select

from tests.case_work import TODAY, ago, audit_entries, count, day, error_summary, post, sign_in_as, text
from tests.helpers import sign_in, submit
from tff.cases.models import Family, FamilyStatusChange
from tff.cases.referrals.models import CareLevelChange
from tff.cases.signoff.models import SignOff
from tff.extensions import db


@pytest.fixture
def people(client, make):
    worker = make.user("lead_worker", name="Lena Worker")
    manager = make.user("manager", name="Maya Manager")
    coordinator = make.user("coordinator", name="Cora Ordinator")
    make.family("F1", lead_worker_id=worker.id, status="attached", attached_on=ago(200))
    make.family("F2", lead_worker_id=worker.id, status="attached", attached_on=ago(200))
    sign_in(client, worker.email)
    return worker, manager, coordinator


def _family(app, reference):
    with app.app_context():
        family = db.session.scalar(select(Family).where(Family.reference == reference))
        db.session.expunge_all()
        return family


def _sign_off_id(app, reference, state="proposed"):
    with app.app_context():
        return db.session.scalar(
            select(SignOff.id)
            .join(Family, SignOff.family_id == Family.id)
            .where(Family.reference == reference, SignOff.state == state)
        )


def _propose_closure(client, reference="F1", on=None, reason="outcomes_achieved"):
    return submit(client, f"/families/{reference}/close", {**day("closed_on", on or ago(1)), "reason": reason})


def _home_rows(client) -> list[str]:
    html = client.get("/").get_data(as_text=True)
    return re.findall(r'<tr class="govuk-table__row" data-family="([^"]+)"', html)


def test_a_proposed_closure_changes_nothing_until_a_manager_approves_it(client, app, people):
    worker, manager, _ = people
    refused = submit(client, "/families/F1/close", {**day("closed_on", ago(1))})
    assert "Choose why the case is closing" in error_summary(refused)
    future = _propose_closure(client, on=TODAY.replace(year=TODAY.year + 1))
    assert "The closure date must be today or in the past" in error_summary(future)
    assert count(app, SignOff) == 0

    response = _propose_closure(client)
    assert response.headers["Location"] == "/families/F1"
    page = text(client.get("/families/F1"))
    assert f"Closure proposed by Lena Worker on {TODAY.day} {TODAY:%b %Y}, waiting for a manager" in page
    assert "Propose closing the case" not in page
    assert _family(app, "F1").status == "attached"
    again = _propose_closure(client)
    assert "Closing the case is already proposed and waiting for a manager" in error_summary(again)
    assert count(app, SignOff) == 1
    assert [e[2]["kind"] for e in audit_entries(app, "sign_off.propose", "F1")] == ["closure"]

    sign_in_as(client, manager)
    assert _home_rows(client) == ["F1"]
    sign_off_id = _sign_off_id(app, "F1")
    approve_url = f"/families/F1/sign-offs/{sign_off_id}/approve"
    assert "Close the case: Outcomes achieved" in text(client.get(approve_url))
    response = submit(client, approve_url, {})
    assert response.headers["Location"] == "/"
    family = _family(app, "F1")
    assert (family.status, family.closed_on, family.closure_reason) == ("closed", ago(1), "outcomes_achieved")
    with app.app_context():
        change = db.session.scalar(select(FamilyStatusChange).where(FamilyStatusChange.to_status == "closed"))
        assert (change.effective_on, change.by_id) == (ago(1), manager.id)
    assert [e[3] for e in audit_entries(app, "sign_off.approve", "F1")] == [manager.id]
    assert [e[3] for e in audit_entries(app, "family.close", "F1")] == [manager.id]
    assert _home_rows(client) == []
    assert "Nothing is waiting for your sign-off" in text(client.get("/"))
    # Decided: the page no longer offers it
    assert client.get(approve_url).headers["Location"] == "/families/F1"


def test_the_manager_s_list_is_oldest_first_and_a_return_needs_a_reason(client, app, people):
    worker, manager, coordinator = people
    _propose_closure(client, "F2")
    _propose_closure(client, "F1")
    sign_in_as(client, manager)
    assert _home_rows(client) == ["F2", "F1"]

    url = f"/families/F2/sign-offs/{_sign_off_id(app, 'F2')}/return"
    blank = submit(client, url, {"reason": "  "})
    assert "Say why you are returning it" in error_summary(blank)
    submit(client, url, {"reason": "The school still reports absence: wait for the next review"})
    assert _home_rows(client) == ["F1"]
    assert _family(app, "F2").status == "attached"
    [(summary, before, after, user_id)] = audit_entries(app, "sign_off.return", "F2")
    assert (before["state"], after["state"], user_id) == ("proposed", "returned", manager.id)

    sign_in_as(client, worker)
    page = text(client.get("/families/F2"))
    assert (
        f"Closure returned by Maya Manager on {TODAY.day} {TODAY:%b %Y}: "
        "The school still reports absence: wait for the next review" in page
    )
    assert "Propose closing the case" in page
    assert _propose_closure(client, "F2").status_code == 302
    assert "waiting for a manager" in text(client.get("/families/F2"))


def test_only_the_proposer_withdraws_and_only_a_manager_decides(client, app, people):
    worker, manager, coordinator = people
    _propose_closure(client)
    sign_off_id = _sign_off_id(app, "F1")
    assert client.get(f"/families/F1/sign-offs/{sign_off_id}/approve").status_code == 403

    sign_in_as(client, coordinator)
    assert client.get(f"/families/F1/sign-offs/{sign_off_id}/return").status_code == 403
    post(client, f"/families/F1/sign-offs/{sign_off_id}/withdraw")
    assert _sign_off_id(app, "F1") == sign_off_id
    sign_in_as(client, manager)
    assert client.get("/families/F1/close").status_code == 403

    sign_in_as(client, worker)
    response = post(client, f"/families/F1/sign-offs/{sign_off_id}/withdraw", follow_redirects=True)
    assert "Closure withdrawn: nothing has changed" in text(response)
    assert _sign_off_id(app, "F1") is None and _sign_off_id(app, "F1", "withdrawn") == sign_off_id
    assert len(audit_entries(app, "sign_off.withdraw", "F1")) == 1
    assert _family(app, "F1").status == "attached"
    sign_in_as(client, manager)
    assert _home_rows(client) == []


def test_an_approval_that_cannot_be_made_records_nothing(client, app, people):
    worker, manager, _ = people
    _propose_closure(client)
    with app.app_context():
        family = db.session.scalar(select(Family).where(Family.reference == "F1"))
        family.status, family.closed_on, family.closure_reason = "closed", ago(5), "moved_away"
        db.session.commit()
    sign_in_as(client, manager)
    sign_off_id = _sign_off_id(app, "F1")
    response = submit(client, f"/families/F1/sign-offs/{sign_off_id}/approve", {})
    assert "It cannot be approved: The family's case is already closed" in error_summary(response)
    assert _sign_off_id(app, "F1") == sign_off_id
    assert audit_entries(app, "sign_off.approve", "F1") == []
    assert _family(app, "F1").closure_reason == "moved_away"


def test_a_step_down_from_social_care_waits_for_a_manager(client, app, people):
    worker, manager, _ = people
    url = "/families/F1/level"
    submit(client, url, {"to_level": "cin_plan", **day("changed_on", ago(60)), "note": "Strategy meeting"})
    response = submit(client, url, {"to_level": "early_help", **day("changed_on", ago(2)), "note": "Plan ended"})
    assert response.headers["Location"] == "/families/F1"
    assert "Step down to Family CAF (early help) proposed by Lena Worker" in text(client.get("/families/F1"))
    assert count(app, CareLevelChange) == 1
    again = submit(client, url, {"to_level": "early_help", **day("changed_on", ago(1)), "note": "x"})
    assert "A step down is already proposed and waiting for a manager" in error_summary(again)
    # Stepping up is recorded at once, as before
    submit(client, url, {"to_level": "cp_plan", **day("changed_on", ago(1)), "note": "Conference"})
    assert count(app, CareLevelChange) == 2

    sign_in_as(client, manager)
    sign_off_id = _sign_off_id(app, "F1")
    stale = submit(client, f"/families/F1/sign-offs/{sign_off_id}/approve", {})
    assert "It cannot be approved" in error_summary(stale)
    assert count(app, CareLevelChange) == 2


def test_an_approved_step_down_is_recorded_as_the_level_form_records_it(client, app, people):
    worker, manager, _ = people
    url = "/families/F1/level"
    submit(client, url, {"to_level": "cp_plan", **day("changed_on", ago(60)), "note": "Conference"})
    submit(client, url, {"to_level": "early_help", **day("changed_on", ago(2)), "note": "IFS worker stays on"})
    sign_in_as(client, manager)
    assert _home_rows(client) == ["F1"]
    submit(client, f"/families/F1/sign-offs/{_sign_off_id(app, 'F1')}/approve", {})
    with app.app_context():
        change = db.session.scalar(select(CareLevelChange).order_by(CareLevelChange.id.desc()))
        assert (change.from_level, change.to_level, change.changed_on, change.note, change.by_id) == (
            "cp_plan",
            "early_help",
            ago(2),
            "IFS worker stays on",
            manager.id,
        )
    assert "stepped down to Family CAF (early help)" in audit_entries(app, "family.level", "F1")[-1][0]
    assert len(audit_entries(app, "sign_off.approve", "F1")) == 1
