"""Background jobs run by a real Celery worker process (`celery -A worker worker --pool=solo`).

Each test gives the app and its worker a database and a broker of their own: the embedded
SQLite database and filesystem broker in a fresh instance folder, or PostgreSQL and Redis.
So no message left over by another test or an earlier run can reach these workers.
"""

import os
import signal
import socket
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

import config
from tests.conftest import _empty_database, build_app
from tests.helpers import Maker, sign_in
from tests.services import Worker, free_port
from tests.worker_support import dispose, in_progress, migrate, wait_for
from tff.cases.models import Family
from tff.extensions import db
from tff.jobs.models import FAILED, QUEUED, RUNNING, SUCCEEDED, Job
from tff.jobs.operations import QueueUnavailable, start

pytestmark = pytest.mark.services

#: enough families that generating them takes a second or so, with progress every 25
FAMILIES = 4000
#: so many that the worker is still generating them when it is killed
MANY_FAMILIES = 50000


# --- apps and workers ---------------------------------------------------------------------


@pytest.fixture
def embedded(tmp_path, monkeypatch):
    """Build apps on a new SQLite database and filesystem broker in a fresh instance folder.

    The config reads its instance folder (and so the broker's folders) from `config.INSTANCE`
    here, and from TFF_INSTANCE_PATH in the worker: both point at the same new folder.
    Returns `make_app(**overrides) -> (app, worker_env)`.
    """
    instance = tmp_path / "instance"
    database = f"sqlite:///{tmp_path / 'tff.sqlite3'}"
    monkeypatch.setattr(config, "INSTANCE", instance)
    monkeypatch.delenv("REDIS_URL", raising=False)
    apps = []

    def make_app(**overrides):
        app = build_app(database, **overrides)
        assert app.config["CELERY"]["broker_url"] == "filesystem://"
        assert app.instance_path == str(instance)
        migrate(app)
        apps.append(app)
        return app, {"TFF_INSTANCE_PATH": str(instance), "DATABASE_URL": database}

    yield make_app
    for app in apps:
        dispose(app)


def read_job(app, job_id: int) -> dict:
    """The Job row as it is now in the database, read in an app context (and session) of its own."""
    with app.app_context():
        job = db.session.get(Job, job_id)
        return {**job.status(), "worker": job.worker, "error": job.error}


def count_families(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Family))


def start_job(app, families: int) -> int:
    with app.app_context():
        job = start("demo.load", "Load the demo cohort", {"families": families}, queue=True)
        assert job.state == QUEUED
        return job.id


def assert_demo_load_runs_on_a_worker(app, worker: Worker, families: int) -> None:
    """The behaviour the job page shows: queued, running with progress, then the result."""
    job_id = start_job(app, families)
    seen: list[dict] = []
    final = wait_for(lambda: read_job(app, job_id), lambda s: s["finished"], worker, 60, "finished", seen)

    assert final["state"] == SUCCEEDED, f"{final}\n{worker.output()}"
    assert any(in_progress(s) for s in seen), (
        f"never saw the job running part way through: {[(s['state'], s['done'], s['total']) for s in seen]}\n"
        f"{worker.output()}"
    )
    assert final["result"]["families"] == families
    assert final["percent"] == 100 and final["done"] == final["total"]
    assert final["message"].startswith(f"Loaded {families} demo families")
    # Run by the worker process, not by this one.
    assert final["worker"] == f"{socket.gethostname()}:{worker.process.pid}", worker.output()
    assert final["worker"] != f"{socket.gethostname()}:{os.getpid()}"
    assert count_families(app) == families


# --- the tests ----------------------------------------------------------------------------


def test_a_job_run_by_a_real_worker_shows_its_progress_and_result(embedded, workers):
    app, env = embedded()
    worker = workers(env)
    assert_demo_load_runs_on_a_worker(app, worker, FAMILIES)


def test_a_job_runs_on_a_worker_through_redis_and_postgresql(tmp_path, monkeypatch, workers, redis_url, postgres_url):
    # As in production: REDIS_URL in the environment makes Redis the broker.
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setattr(config, "INSTANCE", tmp_path / "instance")
    app = build_app(postgres_url)
    try:
        assert app.config["CELERY"]["broker_url"] == redis_url
        assert app.config["SQLALCHEMY_DATABASE_URI"] == postgres_url
        migrate(app)
        _empty_database(app)
        # Other tests share this Redis: drop any message they left in the queue.
        app.extensions["celery"].control.purge()
        worker = workers(
            {"DATABASE_URL": postgres_url, "REDIS_URL": redis_url, "TFF_INSTANCE_PATH": str(tmp_path / "instance")}
        )
        assert_demo_load_runs_on_a_worker(app, worker, FAMILIES)
    finally:
        _empty_database(app)
        dispose(app)


def test_a_job_whose_worker_dies_is_shown_failed_and_leaves_nothing_half_done(embedded, workers):
    stale_after = 3
    app, env = embedded(JOB_STALE_AFTER=timedelta(seconds=stale_after))
    # A job nobody in particular started is followed by an administrator.
    user = Maker(app).user("admin")
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 302

    def status(job_id: int) -> dict:
        response = client.get(f"/jobs/{job_id}/status")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    worker = workers(env)
    job_id = start_job(app, MANY_FAMILIES)
    running = wait_for(lambda: status(job_id), in_progress, worker, 30, "running with some families made")
    assert running["done"] < MANY_FAMILIES
    worker.kill()
    assert worker.process.returncode == -signal.SIGKILL

    # Once its heartbeat is overdue the page shows it failed: it is never "running" forever.
    failed = wait_for(
        lambda: status(job_id),
        lambda s: s["state"] != RUNNING,
        worker,
        stale_after + 10,
        "no longer running",
        dead=True,
    )
    assert failed["state"] == FAILED, failed
    assert failed["finished"] is True
    assert "worker running this job stopped responding" in failed["message"]
    assert "Nothing it was doing was kept" in failed["message"]
    assert count_families(app) == 0, "the killed job left families in the database"
    # Still failed on a later look: nothing brings it back to life.
    assert status(job_id)["state"] == FAILED

    # Started again on a new worker, it runs to the end.
    worker = workers(env)
    assert_demo_load_runs_on_a_worker(app, worker, FAMILIES)
    assert status(job_id)["state"] == FAILED


def test_an_unreachable_job_queue_fails_the_job_at_once_and_says_so(tmp_path, monkeypatch):
    # As in production, with REDIS_URL naming a Redis where nothing listens.
    broker = f"redis://127.0.0.1:{free_port()}/0"
    monkeypatch.setenv("REDIS_URL", broker)
    monkeypatch.setattr(config, "INSTANCE", tmp_path / "instance")
    app = build_app(f"sqlite:///{tmp_path / 'tff.sqlite3'}")
    assert app.config["CELERY"]["broker_url"] == broker
    migrate(app)
    try:
        with app.app_context():
            began = time.monotonic()
            with pytest.raises(QueueUnavailable) as raised:
                start("demo.load", "Load the demo cohort", {"families": 10}, queue=True)
            took = time.monotonic() - began
        assert took < 10, f"start() took {took:.1f}s to give up on the queue"

        job = read_job(app, raised.value.job.id)
        assert job["state"] == FAILED and job["finished"] is True
        assert "job queue is unreachable" in job["message"]
        assert "Nothing was changed" in job["message"]
        assert str(raised.value) == job["message"]
        assert job["worker"] is None
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Job)) == 1
        assert count_families(app) == 0
    finally:
        dispose(app)
