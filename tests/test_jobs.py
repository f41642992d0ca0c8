"""Jobs run here and now (as the commands run them): recorded, visible, and honest about failure."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers import sign_in
from tff.cases.models import Family, FamilyStatusChange, Member
from tff.extensions import db
from tff.jobs.models import Job
from tff.jobs.operations import start
from tff.timeutil import utcnow


def test_the_demo_job_runs_in_process_and_records_its_result(clean):
    with clean.app_context():
        job = start("demo.load", "Load the demo cohort", {"families": 40}, queue=False)
        assert job.state == "succeeded"
        assert job.done == job.total and job.percent == 100
        assert job.started_at and job.finished_at and job.started_at <= job.finished_at
        assert job.result["families"] == 40
        assert db.session.scalar(select(func.count()).select_from(Family)) == 40
        assert db.session.scalar(select(func.count()).select_from(Member)) == job.result["members"]
        # Through the import: each family has its history and its lead worker's assignment.
        assert db.session.scalar(select(func.count()).select_from(FamilyStatusChange)) >= 40


def test_a_job_that_fails_says_so_and_keeps_nothing(clean, make):
    make.family()
    with clean.app_context():
        job = start("demo.load", "Load the demo cohort", {"families": 10}, queue=False)
        assert job.state == "failed"
        assert "families in the database already" in job.message
        assert db.session.scalar(select(func.count()).select_from(Family)) == 1


def test_an_error_in_a_job_is_reported_in_plain_words(clean):
    with clean.app_context():
        job = start("demo.load", "Load the demo cohort", {"families": "many"}, queue=False)
        assert job.state == "failed"
        assert job.message.startswith("The job failed because of an error in the system")
        assert "Traceback" in job.error
        assert db.session.scalar(select(func.count()).select_from(Family)) == 0


def _job(app, **values) -> int:
    with app.app_context():
        values.setdefault("title", "Load the demo cohort")
        job = Job(kind="demo.load", **values)
        db.session.add(job)
        db.session.commit()
        return job.id


def test_a_running_job_whose_worker_went_quiet_is_shown_failed(client, make, clean):
    user = make.user()
    quiet = _job(
        clean, state="running", done=5, total=10, heartbeat_at=utcnow() - timedelta(hours=1), started_by_id=user.id
    )
    alive = _job(clean, state="running", done=5, total=10, heartbeat_at=utcnow(), started_by_id=user.id)
    sign_in(client, user.email)
    status = client.get(f"/jobs/{quiet}/status").get_json()
    assert status["state"] == "failed"
    assert "stopped responding" in status["message"]
    assert client.get(f"/jobs/{alive}/status").get_json()["state"] == "running"


def test_the_job_page_shows_progress_and_survives_a_reload(client, make, clean):
    user = make.user()
    job_id = _job(
        clean,
        state="running",
        done=250,
        total=1000,
        unit="rows",
        message="Checking rows",
        heartbeat_at=utcnow(),
        started_by_id=user.id,
    )
    sign_in(client, user.email)
    for _ in range(2):
        page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
        assert "250 of 1,000 rows (25%)" in page
        assert 'value="25"' in page
        assert "Checking rows" in page


def test_a_queued_job_nobody_picks_up_says_so(client, make, clean):
    user = make.user()
    job_id = _job(clean, state="queued", created_at=utcnow() - timedelta(minutes=5), started_by_id=user.id)
    sign_in(client, user.email)
    assert client.get(f"/jobs/{job_id}/status").get_json()["waiting_for_worker"] is True


@pytest.mark.parametrize(("viewer", "visible"), [("starter", True), ("admin", True), ("colleague", False)])
def test_a_persons_job_is_theirs_and_the_administrators(client, make, clean, viewer, visible):
    starter = make.user("finance")
    job_id = _job(clean, state="succeeded", started_by_id=starter.id)
    user = starter if viewer == "starter" else make.user("admin" if viewer == "admin" else "finance")
    sign_in(client, user.email)
    assert client.get(f"/jobs/{job_id}").status_code == (200 if visible else 404)
    assert client.get(f"/jobs/{job_id}/status").status_code == (200 if visible else 404)
    listed = f"/jobs/{job_id}" in client.get("/jobs/").get_data(as_text=True)
    assert listed is visible


@pytest.mark.parametrize("role", ["lead_worker", "coordinator", "finance", "manager", "auditor"])
def test_a_job_nobody_started_is_for_administrators_alone(client, make, clean, role):
    """A command-line import's title names its file and folder: no one else may read it."""
    job_id = _job(clean, state="succeeded", title="Import of /srv/extracts/F000003-01.csv", result={"families": 3})
    sign_in(client, make.user(role).email)
    assert client.get(f"/jobs/{job_id}").status_code == 404
    assert client.get(f"/jobs/{job_id}/status").status_code == 404
    for page in ("/jobs/", "/"):
        assert "F000003-01" not in client.get(page, follow_redirects=True).get_data(as_text=True)


def test_an_administrator_follows_a_job_nobody_started(client, make, clean):
    job_id = _job(clean, state="succeeded", title="Import of /srv/extracts/F000003-01.csv", result={"families": 3})
    sign_in(client, make.user("admin").email)
    assert client.get(f"/jobs/{job_id}").status_code == 200
    assert "F000003-01" in client.get("/jobs/").get_data(as_text=True)


def test_pages_do_not_wait_for_a_job_holding_the_sqlite_write_lock(tmp_path):
    """On SQLite one writer at a time: a job saving a big import holds the lock for a while."""
    import flask_migrate

    from tests.conftest import build_app
    from tests.helpers import Maker

    app = build_app(f"sqlite:///{tmp_path / 'tff.sqlite3'}")
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
    client = app.test_client()
    user = Maker(app).user("coordinator")
    sign_in(client, user.email)
    with app.app_context():
        job = Job(kind="demo.load", title="Saving", state="running", heartbeat_at=utcnow(), started_by_id=user.id)
        db.session.add(job)
        db.session.commit()
        job_id = job.id
        saving = db.engine.connect()
        saving.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            started = time.monotonic()
            response = client.get(f"/jobs/{job_id}/status")
            assert response.status_code == 200
            assert response.get_json()["state"] == "running"
            assert time.monotonic() - started < 5
        finally:
            saving.exec_driver_sql("ROLLBACK")
            saving.close()
        db.session.remove()
        db.engine.dispose()
