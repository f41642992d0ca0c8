"""The demo's commissioned providers (the seed council's, with the review's capacities) and its
referrals to them; and the referral page when there is no provider, for each role."""

import csv
import io

import pytest
from sqlalchemy import func, select

from tests.case_work import error_summary, text
from tests.helpers import sign_in, submit
from tff.audit.models import AuditEntry
from tff.cases.models import Family
from tff.cases.referrals.models import Provider, Referral, ReferralTransition
from tff.extensions import db

#: the providers the seed council's Families for Change review names, and its figures
SEED = {
    "Family Recovery Programme": ("family_recovery", 45),
    "YWCA family support": ("family_support", None),
    "Rotherham and Barnsley MIND (intensive family support)": ("intensive_family_support", 39),
    "Remedi family mediation": ("family_mediation", 18),
    "Multi-Systemic Therapy (MST, with Barnsley)": ("mst", 10),
}


def _counts():
    return (
        db.session.scalar(select(func.count()).select_from(Provider)),
        db.session.scalar(select(func.count()).select_from(Referral)),
        db.session.scalar(select(func.count()).select_from(ReferralTransition)),
        db.session.scalar(select(func.count()).select_from(AuditEntry)),
    )


def test_the_demo_has_the_seed_providers_and_refers_families_to_them_once(clean, make):
    runner = clean.test_cli_runner()
    first = runner.invoke(args=["demo", "setup", "--families", "40"])
    assert first.exit_code == 0, first.output
    assert "Recorded 5 commissioned providers and referred" in first.output
    with clean.app_context():
        providers = {p.name: (p.service_type, p.capacity) for p in db.session.scalars(select(Provider))}
        assert providers == SEED
        referrals = db.session.scalars(select(Referral)).all()
        states = {r.state for r in referrals}
        # some taken, some declined, each by the product's own steps
        assert {"declined", "closed"} <= states and states & {"accepted", "closed"}
        attached = db.session.scalar(select(func.count()).select_from(Family).where(Family.attached_on.is_not(None)))
        assert 0 < len({r.family_id for r in referrals}) < attached
        for referral in referrals:
            assert [t.to_state for t in referral.transitions][0] == "requested"
            assert referral.transitions[-1].to_state == referral.state
            family = db.session.get(Family, referral.family_id)
            assert referral.requested_on >= family.attached_on
        # no provider holds more open referrals than its capacity
        for provider in db.session.scalars(select(Provider).where(Provider.capacity.is_not(None))):
            held = db.session.scalar(
                select(func.count()).where(Referral.provider_id == provider.id, Referral.state == "accepted")
            )
            assert held <= provider.capacity
        actions = set(db.session.scalars(select(AuditEntry.action)))
        assert {"provider.add", "referral.request", "referral.accept", "referral.decline"} <= actions
        before = _counts()

    again = runner.invoke(args=["demo", "setup", "--families", "40"])
    assert again.exit_code == 0, again.output
    assert "commissioned providers" not in again.output
    with clean.app_context():
        assert _counts() == before

    # The funding dashboard's table by commissioned provider has the providers and their families.
    client = clean.test_client()
    sign_in(client, make.user("manager").email)
    page = text(client.get("/funding/"))
    assert "No family has been referred to a commissioned provider yet." not in page
    assert "Family Recovery Programme" in page
    rows = list(csv.reader(io.StringIO(client.get("/funding/providers.csv").get_data(as_text=True))))[1:]
    assert {row[0] for row in rows} == set(SEED) | {"No referral"}
    assert sum(int(row[1]) for row in rows if row[0] != "No referral") > 0

    # A coordinator's referral offers the providers and their places.
    client = clean.test_client()
    sign_in(client, make.user("coordinator").email)
    with clean.app_context():
        reference = db.session.scalar(
            select(Family.reference)
            .where(Family.attached_on.is_not(None), Family.lead_worker_id.is_(None))
            .order_by(Family.reference)
        ) or db.session.scalar(select(Family.reference).order_by(Family.reference))
    form = text(client.get(f"/families/{reference}/referrals/new"))
    assert "of 45 places taken" in form and "YWCA family support – no limit" in form


@pytest.fixture
def family(make):
    return make.family("F1", status="attached")


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_with_no_provider_those_who_may_add_one_are_given_the_way(client, make, family, role):
    if role == "admin":
        # an administrator is no case worker: the referral page is a coordinator's; the list is theirs
        sign_in(client, make.user(role).email)
        page = text(client.get("/providers/"))
        assert "No providers yet." in page and "Add a provider" in page
        assert client.get("/providers/new").status_code == 200
        return
    sign_in(client, make.user(role).email)
    response = client.get("/families/F1/referrals/new")
    page = text(response)
    assert "There are no providers yet." in page
    assert "A Families for Change coordinator or an administrator adds" in page
    assert "/providers/new?family=F1" in response.get_data(as_text=True)
    # the link is not refused, and once the provider is added the referral goes on
    assert client.get("/providers/new?family=F1").status_code == 200
    added = submit(
        client,
        "/providers/new?family=F1",
        {"name": "Remedi family mediation", "service_type": "family_mediation", "capacity": "18", "active": "y"},
    )
    assert added.status_code == 302 and added.headers["Location"].endswith("/families/F1/referrals/new")
    assert "Remedi family mediation – 0 of 18 places taken" in text(client.get("/families/F1/referrals/new"))


def test_a_lead_worker_with_no_provider_is_told_who_adds_one_and_given_no_refused_link(client, make):
    worker = make.user("lead_worker")
    make.family("F1", lead_worker_id=worker.id, status="attached")
    sign_in(client, worker.email)
    response = client.get("/families/F1/referrals/new")
    page = text(response)
    assert response.status_code == 200
    assert "There are no providers yet." in page
    assert "Ask your Families for Change coordinator to add the provider" in page
    assert "/providers/new" not in response.get_data(as_text=True)
    assert client.get("/providers/new").status_code == 403


def test_when_every_provider_is_off_a_coordinator_is_told_so(client, make, family, app):
    with app.app_context():
        db.session.add(Provider(name="YWCA family support", service_type="family_support", active=False))
        db.session.commit()
    sign_in(client, make.user("coordinator").email)
    response = client.get("/families/F1/referrals/new")
    page = text(response)
    assert "No provider takes new referrals at the moment." in page
    assert "list of providers" in page and "Add a provider" in page


def test_a_coordinator_adding_a_provider_gets_clear_messages(client, make):
    sign_in(client, make.user("coordinator").email)
    response = submit(client, "/providers/new?family=F1", {"name": "", "service_type": "", "capacity": "ten"})
    assert response.status_code == 200
    problems = error_summary(response)
    assert "Enter the provider's name" in problems
    assert "Capacity must be a whole number, like 45, or empty for no limit" in problems
