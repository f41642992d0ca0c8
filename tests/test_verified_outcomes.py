"""Practitioner-verified outcomes: recorded by the family's lead worker (or a coordinator) with
the evidence, approved or rejected by a manager other than the one who recorded it, each change
audited; every page is for the roles it names and the families the user may see; and the
approved codes of many families as of a date, for the engine."""

import pytest
from sqlalchemy import event, select

from tests.case_work import ago, ahead, audit_entries, count, day, error_summary, member, sign_in_as, text
from tests.helpers import sign_in, submit
from tff.extensions import db
from tff.outcomes.plan_versions.operations import store_shipped
from tff.outcomes.verified.models import VerifiedOutcome

NEW = "/families/F1/verified-outcomes/new"


#: the outcome the shipped Rotherham plan's `health` problem names, titled as the form offers it
HEALTH = "engaged_with_health_service"
HEALTH_TITLE = "Parents and children with a range of health problems: engaged with health service"


def _valid(**overrides) -> dict:
    return {
        "code": HEALTH,
        "member": "",
        **day("achieved_on", ago(10)),
        "evidence_note": "Letter from the CMHT: H has attended 4 of 4 appointments since March.",
        **overrides,
    }


@pytest.fixture
def worker(client, app, make):
    """The lead worker of F1, a phase two family measured by the shipped Rotherham plan."""
    with app.app_context():
        store_shipped(None)
    user = make.user("lead_worker", name="Lena Worker")
    user.family = make.family("F1", programme="phase2", lead_worker_id=user.id, status="attached", attached_on=ago(200))
    sign_in(client, user.email)
    return user


def _outcome(app, family_id: int, recorded_by_id: int, code="mental_health_engagement", **values) -> int:
    with app.app_context():
        outcome = VerifiedOutcome(
            family_id=family_id,
            code=code,
            title=values.pop("title", code.replace("_", " ").capitalize()),
            evidence_note=values.pop("evidence_note", "Seen by me."),
            achieved_on=values.pop("achieved_on", ago(10)),
            recorded_by_id=recorded_by_id,
            **values,
        )
        db.session.add(outcome)
        db.session.commit()
        return outcome.id


def _state(app, outcome_id: int) -> tuple:
    with app.app_context():
        outcome = db.session.get(VerifiedOutcome, outcome_id)
        return outcome.state, outcome.decided_by_id, outcome.decision_note


# --- Recording -----------------------------------------------------------------------------


def test_the_lead_worker_records_an_outcome_about_a_member_and_it_is_audited(client, app, worker):
    adult = member(app, worker.family.id, "Helen", "Hart", ago(365 * 35))
    assert "Verified outcomes" in text(client.get("/families/F1"))
    response = submit(client, NEW, _valid(member=str(adult)))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/families/F1/verified-outcomes")
    with app.app_context():
        outcome = db.session.scalar(select(VerifiedOutcome))
        assert (outcome.family_id, outcome.member_id, outcome.code, outcome.state) == (
            worker.family.id,
            adult,
            HEALTH,
            "proposed",
        )
        assert outcome.title == HEALTH_TITLE
        assert (outcome.recorded_by_id, outcome.achieved_on, outcome.decided_by_id) == (worker.id, ago(10), None)
        outcome_id = outcome.id

    page = text(client.get("/families/F1/verified-outcomes"))
    assert HEALTH_TITLE in page and "Helen Hart" in page
    assert "Awaiting approval" in page and "attended 4 of 4 appointments" in page
    assert "Approve" not in page  # a lead worker does not decide
    [(summary, before, after, user_id)] = audit_entries(app, "verified_outcome.record", "F1")
    assert HEALTH in summary and user_id == worker.id and before is None
    assert after["verified_outcome_id"] == outcome_id and after["state"] == "proposed"
    assert after["evidence_note"].startswith("Letter from the CMHT")


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"evidence_note": "  "}, "Record the evidence that the outcome was achieved"),
        (
            {"code": "mental_health_engagement"},
            '"mental_health_engagement" is not an outcome of the family\'s outcome plan rotherham-2015 v1: '
            "choose one of the outcomes listed",
        ),
        ({"code": ""}, "Choose the outcome the family achieved"),
        ({"code": "x" * 61}, f'"{"x" * 60}…" is not an outcome of the family'),
        (day("achieved_on", ahead(1)), "The date the outcome was achieved must be today or in the past"),
        ({"achieved_on": ["", "", ""]}, "Enter the date the outcome was achieved"),
        ({"achieved_on": ["31", "2", "2020"]}, "Date the outcome was achieved must be a real date"),
        ({"member": "999999"}, "Choose a member of this family, or the whole family"),
        ({"member": "nobody"}, "Choose a member of this family, or the whole family"),
    ],
)
def test_bad_input_says_what_is_wrong_and_stores_nothing(client, app, worker, overrides, problem):
    response = submit(client, NEW, _valid(**overrides))
    assert response.status_code == 200
    assert problem in error_summary(response)
    assert 'class="govuk-error-message"' in response.get_data(as_text=True)
    assert count(app, VerifiedOutcome) == 0
    assert audit_entries(app, "verified_outcome.record") == []


def test_a_member_of_another_family_is_refused(client, app, make, worker):
    other = make.family("F2", status="attached")
    stranger = member(app, other.id, "Sam", "Stone", ago(365 * 30))
    response = submit(client, NEW, _valid(member=str(stranger)))
    assert "Choose a member of this family, or the whole family" in error_summary(response)
    assert count(app, VerifiedOutcome) == 0


def test_a_coordinator_records_too_but_a_lead_worker_on_the_taf_only_reads(client, app, make, worker):
    from tff.cases.models import TafMember

    coordinator = make.user("coordinator")
    sign_in_as(client, coordinator)
    assert submit(client, NEW, _valid()).status_code == 302
    assert count(app, VerifiedOutcome, recorded_by_id=coordinator.id) == 1

    helper = make.user("lead_worker")
    with app.app_context():
        db.session.add(TafMember(family_id=worker.family.id, name="Helper", user_id=helper.id, joined_on=ago(50)))
        db.session.commit()
    sign_in_as(client, helper)
    page = client.get("/families/F1/verified-outcomes")
    assert page.status_code == 200 and "Record a verified outcome" not in text(page)
    assert client.get(NEW).status_code == 403
    assert count(app, VerifiedOutcome) == 1


# --- Deciding ------------------------------------------------------------------------------


def test_a_manager_approves_from_the_queue_and_it_is_audited(client, app, make, worker):
    outcome_id = _outcome(app, worker.family.id, worker.id)
    manager = make.user("manager", name="Mo Manager")
    sign_in_as(client, manager)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/verified-outcomes"' in home
    queue = client.get("/verified-outcomes")
    assert queue.status_code == 200 and "F1" in text(queue) and "Mental health engagement" in text(queue)

    url = f"/families/F1/verified-outcomes/{outcome_id}/approve"
    response = submit(client, url + "?from=queue", {"note": "Checked the CMHT letter."})
    assert response.status_code == 302 and response.headers["Location"].endswith("/verified-outcomes")
    assert _state(app, outcome_id) == ("approved", manager.id, "Checked the CMHT letter.")
    [(summary, before, after, user_id)] = audit_entries(app, "verified_outcome.approve", "F1")
    assert "Approved" in summary and user_id == manager.id
    assert (before["state"], after["state"]) == ("proposed", "approved")
    assert "No verified outcomes are waiting" in text(client.get("/verified-outcomes"))
    page = text(client.get("/families/F1/verified-outcomes"))
    assert "Approved" in page and "Mo Manager" in page

    # decided once: the decision pages send the manager back, and nothing changes
    assert client.get(url).status_code == 302
    assert client.get(f"/families/F1/verified-outcomes/{outcome_id}/reject").status_code == 302
    assert len(audit_entries(app, "verified_outcome.approve")) == 1


def test_rejecting_needs_a_reason(client, app, make, worker):
    outcome_id = _outcome(app, worker.family.id, worker.id)
    manager = make.user("manager")
    sign_in_as(client, manager)
    url = f"/families/F1/verified-outcomes/{outcome_id}/reject"
    response = submit(client, url, {"note": " "})
    assert "Say why the outcome is rejected" in error_summary(response)
    assert _state(app, outcome_id) == ("proposed", None, None)
    assert audit_entries(app, "verified_outcome.reject") == []

    assert submit(client, url, {"note": "The letter is about another person."}).status_code == 302
    assert _state(app, outcome_id) == ("rejected", manager.id, "The letter is about another person.")
    [(_s, _b, after, user_id)] = audit_entries(app, "verified_outcome.reject", "F1")
    assert after["state"] == "rejected" and user_id == manager.id
    assert "Rejected" in text(client.get("/families/F1/verified-outcomes"))


def test_the_manager_who_recorded_an_outcome_cannot_decide_it(client, app, make, worker):
    manager = make.user("manager")
    outcome_id = _outcome(app, worker.family.id, manager.id)  # recorded when they were a coordinator
    sign_in_as(client, manager)
    page = text(client.get("/families/F1/verified-outcomes"))
    assert "You recorded this outcome: another manager must approve or reject it" in page
    assert "You recorded it" in text(client.get("/verified-outcomes"))
    for decision in ("approve", "reject"):
        response = submit(client, f"/families/F1/verified-outcomes/{outcome_id}/{decision}", {"note": "Fine."})
        assert response.status_code == 200
        assert "You recorded this outcome: another manager must approve or reject it" in error_summary(response)
    assert _state(app, outcome_id) == ("proposed", None, None)
    assert audit_entries(app, "verified_outcome.approve") == audit_entries(app, "verified_outcome.reject") == []


# --- Access --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["finance", "auditor", "admin", "manager"])
def test_other_roles_may_not_record_and_only_managers_read_them(client, app, make, worker, role):
    """Managers read verified outcomes to approve them; finance, internal audit and
    administrators give a reason first (tff.cases.need_to_know)."""
    _outcome(app, worker.family.id, worker.id)
    sign_in_as(client, make.user(role))
    page = client.get("/families/F1/verified-outcomes")
    if role == "manager":
        assert page.status_code == 200 and "Mental health engagement" in text(page)
        assert "Record a verified outcome" not in text(page)
    else:
        assert page.status_code == 302 and "/break-glass/verified" in page.headers["Location"]
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, data=_valid()).status_code in (400, 403)
    assert count(app, VerifiedOutcome) == 1


@pytest.mark.parametrize("role", ["lead_worker", "coordinator", "finance", "auditor", "admin"])
def test_only_managers_decide(client, app, make, worker, role):
    outcome_id = _outcome(app, worker.family.id, make.user("coordinator").id)
    user = worker if role == "lead_worker" else make.user(role)
    sign_in_as(client, user)
    for decision in ("approve", "reject"):
        assert client.get(f"/families/F1/verified-outcomes/{outcome_id}/{decision}").status_code == 403
    assert client.get("/verified-outcomes").status_code == 403
    assert 'href="/verified-outcomes"' not in client.get("/").get_data(as_text=True)
    assert _state(app, outcome_id) == ("proposed", None, None)


def test_a_family_the_user_cannot_see_is_not_found(client, app, make, worker):
    other_worker = make.user("lead_worker")
    other = make.family("F2", lead_worker_id=other_worker.id, status="attached")
    theirs = _outcome(app, other.id, other_worker.id)
    mine = _outcome(app, worker.family.id, worker.id)
    for url in ("/families/F2/verified-outcomes", "/families/F2/verified-outcomes/new"):
        assert client.get(url).status_code == 404
    assert submit(client, "/families/F2/verified-outcomes/new", _valid(), form_url=NEW).status_code == 404
    assert count(app, VerifiedOutcome) == 2

    # a manager sees every family, but not an outcome through another family's address
    sign_in_as(client, make.user("manager"))
    assert client.get(f"/families/F1/verified-outcomes/{theirs}/approve").status_code == 404
    assert client.get(f"/families/F2/verified-outcomes/{mine}/approve").status_code == 404
    assert client.get(f"/families/F1/verified-outcomes/{mine}/publish").status_code == 404
    assert client.get(f"/families/F9/verified-outcomes/{mine}/approve").status_code == 404


def test_the_queue_holds_only_the_proposed_outcomes_of_families_the_manager_may_see(client, app, make, worker):
    from tff.auth.models import User
    from tff.outcomes.verified import operations

    recorder = make.user("coordinator")
    proposed = _outcome(app, worker.family.id, recorder.id, code="housing_secure")
    _outcome(app, worker.family.id, recorder.id, code="school_attendance", state="approved")
    manager = make.user("manager")
    with app.app_context():
        assert [o.id for o in operations.awaiting_decision(db.session.get(User, manager.id))] == [proposed]
        user = db.session.get(User, manager.id)
        user.active = False
        db.session.commit()
        assert operations.awaiting_decision(db.session.get(User, manager.id)) == []


# --- For the engine ------------------------------------------------------------------------


def test_approved_codes_are_only_the_approved_ones_achieved_by_the_date(app, make):
    from tff.outcomes.verified.operations import approved_codes

    recorder = make.user("coordinator")
    one, two, three = (make.family(f"F{n}").id for n in (1, 2, 3))
    _outcome(app, one, recorder.id, code="mental_health_engagement", state="approved", achieved_on=ago(30))
    _outcome(app, one, recorder.id, code="mental_health_engagement", state="approved", achieved_on=ago(20))
    _outcome(app, one, recorder.id, code="housing_secure", state="approved", achieved_on=ago(5))
    _outcome(app, one, recorder.id, code="debt_advice", state="proposed", achieved_on=ago(40))
    _outcome(app, one, recorder.id, code="family_relationships", state="rejected", achieved_on=ago(40))
    _outcome(app, two, recorder.id, code="substance_use", state="approved", achieved_on=ago(10))
    _outcome(app, three, recorder.id, code="school_readiness", state="approved", achieved_on=ago(1))

    with app.app_context():
        assert approved_codes([one, two], ago(10)) == {
            one: frozenset({"mental_health_engagement"}),
            two: frozenset({"substance_use"}),
        }
        assert approved_codes([one, two, three], ago(0)) == {
            one: frozenset({"mental_health_engagement", "housing_secure"}),
            two: frozenset({"substance_use"}),
            three: frozenset({"school_readiness"}),
        }
        assert approved_codes([one, three], ago(31)) == {one: frozenset(), three: frozenset()}
        assert approved_codes([], ago(0)) == {}

        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            approved_codes([one, two, three], ago(0))
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert len(statements) == 1
