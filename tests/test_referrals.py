"""Commissioned providers (an administrator's page), referrals of families to them with their
history of states, capacity, and stepping up to or down from social care."""

import pytest
from sqlalchemy import select

from tests.case_work import TODAY, ago, audit_entries, count, day, error_summary, sign_in_as, text
from tests.helpers import sign_in, submit
from tff.cases.referrals.models import CareLevelChange, Provider, Referral, ReferralTransition
from tff.extensions import db


@pytest.fixture
def worker(client, make):
    user = make.user("lead_worker", name="Lena Worker")
    user.family = make.family("F1", lead_worker_id=user.id, status="attached", attached_on=ago(200))
    sign_in(client, user.email)
    return user


def _provider(app, name="YWCA family support", service_type="family_support", capacity=None, active=True) -> int:
    with app.app_context():
        provider = Provider(name=name, service_type=service_type, capacity=capacity, active=active)
        db.session.add(provider)
        db.session.commit()
        return provider.id


def _referral(app, reference: str):
    from tff.cases.models import Family

    with app.app_context():
        found = db.session.scalar(
            select(Referral).join(Family, Referral.family_id == Family.id).where(Family.reference == reference)
        )
        db.session.expunge_all()
        return found


# --- Providers -----------------------------------------------------------------------------


def test_an_administrator_adds_and_changes_providers(client, app, make):
    admin = make.user("admin")
    sign_in(client, admin.email)
    response = submit(client, "/providers/new", {"name": "", "service_type": "", "capacity": "lots"})
    problems = error_summary(response)
    assert "Enter the provider's name" in problems and "Choose the kind of service" in problems
    assert "Capacity must be a whole number, like 45, or empty for no limit" in problems

    submit(
        client,
        "/providers/new",
        {"name": "Family Recovery Programme", "service_type": "family_recovery", "capacity": "45", "active": "y"},
    )
    submit(client, "/providers/new", {"name": "Remedi", "service_type": "family_mediation", "active": "y"})
    duplicate = submit(client, "/providers/new", {"name": "remedi", "service_type": "family_mediation"})
    assert "There is already a provider called remedi" in error_summary(duplicate)
    zero = submit(client, "/providers/new", {"name": "MST", "service_type": "mst", "capacity": "0"})
    assert "Capacity must be 1 or more" in error_summary(zero)

    page = text(client.get("/providers/"))
    assert "Family Recovery Programme" in page and "45" in page and "No limit" in page
    with app.app_context():
        frp = db.session.scalar(select(Provider).where(Provider.name == "Family Recovery Programme"))
        assert (frp.service_type, frp.capacity, frp.active) == ("family_recovery", 45, True)
        frp_id = frp.id
    # Unticked, "takes new referrals" turns the provider off.
    submit(
        client,
        f"/providers/{frp_id}",
        {"name": "Family Recovery Programme", "service_type": "family_recovery", "capacity": "40"},
    )
    assert "No new referrals" in text(client.get("/providers/"))
    [(summary, before, after, user_id)] = audit_entries(app, "provider.update", str(frp_id))
    assert before == {"capacity": 45, "active": True} and after == {"capacity": 40, "active": False}
    assert user_id == admin.id
    assert len(audit_entries(app, "provider.add")) == 2


@pytest.mark.parametrize(
    ("role", "list_status", "add_status"),
    [("coordinator", 200, 200), ("manager", 200, 403), ("lead_worker", 403, 403)],
)
def test_administrators_and_coordinators_change_providers(client, make, role, list_status, add_status):
    sign_in(client, make.user(role).email)
    assert client.get("/providers/").status_code == list_status
    assert client.get("/providers/new").status_code == add_status
    if list_status == 200:
        assert ("Add a provider" in text(client.get("/providers/"))) == (add_status == 200)


# --- Referrals -----------------------------------------------------------------------------


def test_a_referral_moves_from_requested_to_accepted_to_closed_and_keeps_its_history(client, app, worker):
    ywca = _provider(app)
    refused = submit(
        client, "/families/F1/referrals/new", {"provider": "0", **day("requested_on", TODAY), "reason": ""}
    )
    assert "Choose the provider" in error_summary(refused)
    assert "Say why the family is referred" in error_summary(refused)

    submit(
        client,
        "/families/F1/referrals/new",
        {"provider": str(ywca), **day("requested_on", ago(20)), "reason": "At the threshold of social care"},
    )
    referral = _referral(app, "F1")
    assert (referral.state, referral.requested_on) == ("requested", ago(20))
    again = submit(
        client, "/families/F1/referrals/new", {"provider": str(ywca), **day("requested_on", TODAY), "reason": "x"}
    )
    assert "The family already has an open referral to YWCA family support" in error_summary(again)

    base = f"/families/F1/referrals/{referral.id}"
    early = submit(client, f"{base}/accept", {**day("on", ago(21))})
    assert f"The date must be on or after the day it was requested ({ago(20):%-d %B %Y})" in error_summary(early)
    submit(client, f"{base}/accept", {**day("on", ago(15)), "note": "Worker: Amy"})
    assert _referral(app, "F1").state == "accepted"
    # An accepted referral cannot be declined.
    response = client.get(f"{base}/decline", follow_redirects=True)
    assert "The referral is accepted: it cannot be changed that way" in text(response)

    no_outcome = submit(client, f"{base}/close", {**day("on", ago(1))})
    assert "Choose the outcome of the referral" in error_summary(no_outcome)
    submit(client, f"{base}/close", {**day("on", ago(1)), "outcome": "completed", "note": "Attendance above 90%"})
    referral = _referral(app, "F1")
    assert (referral.state, referral.outcome) == ("closed", "completed")

    with app.app_context():
        moves = db.session.execute(
            select(
                ReferralTransition.from_state,
                ReferralTransition.to_state,
                ReferralTransition.on,
                ReferralTransition.by_id,
            )
            .where(ReferralTransition.referral_id == referral.id)
            .order_by(ReferralTransition.id)
        ).all()
    assert moves == [
        (None, "requested", ago(20), worker.id),
        ("requested", "accepted", ago(15), worker.id),
        ("accepted", "closed", ago(1), worker.id),
    ]
    page = text(client.get(base))
    assert "Work completed – goals met" in page and "Worker: Amy" in page and "Attendance above 90%" in page
    assert "Accepted" in page and "Requested" in page
    assert [e[2]["state"] for e in audit_entries(app, "referral.request", "F1")] == ["requested"]
    [(_s, before, after, _u)] = audit_entries(app, "referral.accept", "F1")
    assert (before["state"], after["state"]) == ("requested", "accepted")
    [(_s, before, after, _u)] = audit_entries(app, "referral.close", "F1")
    assert after["outcome"] == "completed"
    assert client.get(f"{base}/transfer").status_code == 404


def test_a_declined_referral_needs_the_reason(client, app, worker):
    mst = _provider(app, "Multi-Systemic Therapy", "mst", capacity=10)
    submit(
        client, "/families/F1/referrals/new", {"provider": str(mst), **day("requested_on", ago(3)), "reason": "K, 15"}
    )
    referral = _referral(app, "F1")
    url = f"/families/F1/referrals/{referral.id}/decline"
    assert "Say why the provider declined the referral" in error_summary(submit(client, url, {**day("on", TODAY)}))
    submit(client, url, {**day("on", TODAY), "note": "K is 10: MST works with 11 to 17"})
    assert _referral(app, "F1").state == "declined"
    page = text(client.get("/families/F1/referrals"))
    assert "Declined" in page
    assert "MST works with 11 to 17" in text(client.get(f"/families/F1/referrals/{referral.id}"))
    [(summary, _b, after, _u)] = audit_entries(app, "referral.decline", "F1")
    assert "declined" in summary and after["note"] == "K is 10: MST works with 11 to 17"


def test_a_full_provider_is_warned_and_needs_confirmation_to_refer_or_accept(client, app, make, worker):
    frp = _provider(app, "Family Recovery Programme", "family_recovery", capacity=1)
    make.family("F2", lead_worker_id=worker.id)
    submit(client, "/families/F2/referrals/new", {"provider": str(frp), **day("requested_on", ago(9)), "reason": "x"})
    submit(client, f"/families/F2/referrals/{_referral(app, 'F2').id}/accept", {**day("on", ago(8))})
    assert "Family Recovery Programme – 1 of 1 places taken" in text(client.get("/families/F1/referrals/new"))

    data = {"provider": str(frp), **day("requested_on", ago(2)), "reason": "Parental mental health"}
    response = submit(client, "/families/F1/referrals/new", data)
    page = text(response)
    assert "Family Recovery Programme already holds 1 open referral; its capacity is 1" in page
    assert "Tick the box to refer above the provider's capacity" in error_summary(response)
    assert count(app, Referral) == 1
    submit(client, "/families/F1/referrals/new", {**data, "confirm_over_limit": "y"})
    referral = _referral(app, "F1")
    assert referral.state == "requested"
    [_first, (summary, *_rest)] = audit_entries(app, "referral.request")
    assert "above its capacity" in summary

    url = f"/families/F1/referrals/{referral.id}/accept"
    response = submit(client, url, {**day("on", ago(1))})
    assert "Tick the box to accept above the provider's capacity" in error_summary(response)
    assert _referral(app, "F1").state == "requested"
    submit(client, url, {**day("on", ago(1)), "confirm_over_limit": "y"})
    assert _referral(app, "F1").state == "accepted"
    assert "above its capacity" in audit_entries(app, "referral.accept", "F1")[0][0]

    sign_in_as(client, make.user("coordinator"))
    providers = text(client.get("/providers/"))
    assert "Full" in providers


def test_a_provider_that_takes_no_new_referrals_is_refused(client, app, worker):
    old = _provider(app, "Old contract", "family_support", active=False)
    response = submit(
        client, "/families/F1/referrals/new", {"provider": str(old), **day("requested_on", TODAY), "reason": "x"}
    )
    assert "Old contract no longer takes referrals" in error_summary(response)


# --- Step up and step down -----------------------------------------------------------------


def test_step_up_and_step_down_are_dated_with_a_note_and_kept(client, app, worker, make):
    url = "/families/F1/level"
    response = submit(client, url, {**day("changed_on", TODAY), "note": ""})
    assert "Choose the level the family is moving to" in error_summary(response)
    assert "Say why: the decision and who made it" in error_summary(response)
    submit(client, url, {"to_level": "cp_plan", **day("changed_on", ago(120)), "note": "Child Protection conference"})
    submit(client, url, {"to_level": "cin_plan", **day("changed_on", ago(60)), "note": "Plan ended at review"})
    same = submit(client, url, {"to_level": "cin_plan", **day("changed_on", ago(30)), "note": "x"})
    assert "The family is already at Child in Need plan" in error_summary(same)
    before = submit(client, url, {"to_level": "early_help", **day("changed_on", ago(61)), "note": "x"})
    assert f"The date of the change must be on or after the last change ({ago(60):%-d %B %Y})" in error_summary(before)
    submit(
        client,
        url,
        {"to_level": "early_help", **day("changed_on", ago(10)), "note": "IFS worker stays on with the Family CAF"},
    )
    # stepping down from social care waits for a manager's sign-off (tests/test_sign_off.py)
    from tff.cases.signoff.models import SignOff

    with app.app_context():
        sign_off_id = db.session.scalar(select(SignOff.id))
    sign_in_as(client, make.user("manager"))
    submit(client, f"/families/F1/sign-offs/{sign_off_id}/approve", {})
    sign_in_as(client, worker)

    with app.app_context():
        changes = db.session.execute(
            select(CareLevelChange.from_level, CareLevelChange.to_level, CareLevelChange.changed_on).order_by(
                CareLevelChange.changed_on
            )
        ).all()
    assert changes == [
        (None, "cp_plan", ago(120)),
        ("cp_plan", "cin_plan", ago(60)),
        ("cin_plan", "early_help", ago(10)),
    ]
    page = text(client.get("/families/F1/referrals"))
    assert "Now: Family CAF (early help)" in page
    assert page.count("Stepped down") == 2 and "Stepped up" not in page

    submit(client, url, {"to_level": "cin_plan", **day("changed_on", TODAY), "note": "New concerns"})
    assert "Stepped up" in text(client.get("/families/F1/referrals"))
    entries = audit_entries(app, "family.level", "F1")
    assert [e[2]["level"] for e in entries] == ["cp_plan", "cin_plan", "early_help", "cin_plan"]
    assert "stepped up to Child in Need plan" in entries[-1][0]
