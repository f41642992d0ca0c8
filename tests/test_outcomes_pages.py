"""The cohort's results pages: start an evaluation as of a date, read its totals, and the
coordinators' near misses, only of families they may see."""

from datetime import date

import pytest
from sqlalchemy import update

from tests.helpers import Maker, sign_in, submit
from tests.test_outcomes_cli import _example_one
from tff.cases.models import Family
from tff.extensions import db
from tff.jobs.models import SUCCEEDED, Job
from tff.outcomes import evaluation as evaluations


def _evaluate(app, as_of: date) -> int:
    with app.app_context():
        evaluation = evaluations.create(as_of)
        assert evaluations.start_evaluation(evaluation, queue=False).state == SUCCEEDED
        return evaluation.id


@pytest.fixture
def decided(clean):
    """F001 meets crime/ASB/education as of 2013-07-31; F002 is one term short of it as of
    2013-03-31 (a near miss), and so is F003, which the lead worker cannot see."""
    for reference in ("F001", "F002", "F003"):
        _example_one(clean, reference)
    return clean


def test_a_coordinator_starts_an_evaluation_and_reads_its_totals(decided, monkeypatch):
    coordinator = Maker(decided).user("coordinator")
    client = decided.test_client()
    sign_in(client, coordinator.email)
    # No worker in this test: the job runs here, as the command line runs it.
    real_start = evaluations.start_evaluation
    monkeypatch.setattr(evaluations, "start_evaluation", lambda e, user=None, **kw: real_start(e, user, queue=False))
    response = submit(client, "/outcomes/new", {"as_of": ["31", "7", "2013"]})
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Results as of 31 Jul 2013" in page
    assert "3 families decided" in page
    assert 'data-outcome="crime_asb_education"' in page and "£2,100" in page  # three claimable at £700
    listing = client.get("/outcomes/").get_data(as_text=True)
    assert "31 Jul 2013" in listing and "Coordinator" in listing


def test_a_bad_date_is_explained_and_starts_nothing(decided):
    coordinator = Maker(decided).user("coordinator")
    client = decided.test_client()
    sign_in(client, coordinator.email)
    response = submit(client, "/outcomes/new", {"as_of": ["30", "2", "2013"]})
    assert response.status_code == 200
    assert "must be a real date" in response.get_data(as_text=True)
    with decided.app_context():
        assert db.session.query(Job).count() == 0


def test_near_misses_list_only_families_the_user_may_see_most_money_first(decided):
    maker = Maker(decided)
    worker = maker.user("lead_worker")
    with decided.app_context():
        db.session.execute(
            update(Family).where(Family.reference.in_(["F001", "F002"])).values(lead_worker_id=worker.id)
        )
        db.session.commit()
    evaluation_id = _evaluate(decided, date(2013, 3, 31))
    coordinator = maker.user("coordinator")
    client = decided.test_client()
    sign_in(client, coordinator.email)
    page = client.get(f"/outcomes/{evaluation_id}/near-misses").get_data(as_text=True)
    assert page.count('data-family="') == 3
    assert "one more term under 15% unauthorised absence for Casey Child" in page
    assert "£700" in page
    # A manager oversees the same worklist.
    manager = decided.test_client()
    sign_in(manager, maker.user("manager").email)
    assert manager.get(f"/outcomes/{evaluation_id}/near-misses").get_data(as_text=True).count('data-family="') == 3

    # A lead worker works their own families: the worklist is not theirs to read.
    other = decided.test_client()
    sign_in(other, worker.email)
    assert other.get(f"/outcomes/{evaluation_id}/near-misses").status_code == 403
    assert other.get("/outcomes/").status_code == 403


def test_roles_and_unknown_evaluations(decided):
    evaluation_id = _evaluate(decided, date(2013, 7, 31))
    maker = Maker(decided)
    for role, totals, near in (
        ("manager", 200, 200),
        ("finance", 200, 403),
        ("auditor", 200, 403),
        ("admin", 200, 200),
    ):
        client = decided.test_client()
        sign_in(client, maker.user(role).email)
        assert client.get(f"/outcomes/{evaluation_id}").status_code == totals, role
        assert client.get(f"/outcomes/{evaluation_id}/near-misses").status_code == near, role
        assert client.get("/outcomes/999999").status_code == 404
    auditor = decided.test_client()
    sign_in(auditor, maker.user("auditor").email)
    assert auditor.get("/outcomes/new").status_code == 403
