"""What the tests that run real worker processes share: apps on a database of their own,
workers started for a test and stopped after it, and waiting for what a worker does."""

import time

import flask_migrate
import pytest

import config
from tests.conftest import _empty_database, build_app
from tests.services import Worker
from tff.extensions import db
from tff.jobs.models import RUNNING


def migrate(app) -> None:
    with app.app_context():
        # Idempotent: the session's `app` fixture may have migrated this database already.
        flask_migrate.upgrade()


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def workers(tmp_path):
    """Start workers with `workers(env)`; every one is stopped when the test ends."""
    started = []

    def start_worker(env: dict) -> Worker:
        worker = Worker(env, tmp_path / f"worker-{len(started) + 1}.log")
        started.append(worker)
        return worker.start()

    yield start_worker
    for worker in started:
        worker.stop()


# --- reading jobs as the page would -------------------------------------------------------


def wait_for(read, until, worker: Worker, timeout: float, what: str, seen: list | None = None, dead=False) -> dict:
    """Poll `read()` until `until(state)`; fail, with the worker's log, if it never comes.

    Also fails at once if the worker exits, unless it is known to be `dead`.
    """
    seen = [] if seen is None else seen
    deadline = time.monotonic() + timeout
    while True:
        state = read()
        if not seen or seen[-1] != state:
            seen.append(state)
        if until(state):
            return state
        if not dead and worker.process.poll() is not None:
            pytest.fail(
                f"the worker exited ({worker.process.returncode}) before {what}; last {state}\n{worker.output()}"
            )
        if time.monotonic() > deadline:
            pytest.fail(f"not {what} within {timeout}s; last {state}\n{worker.output()}")
        time.sleep(0.05)


def in_progress(state: dict) -> bool:
    return state["state"] == RUNNING and state["total"] and 0 < state["done"] < state["total"]


@pytest.fixture(params=["embedded", "redis-postgresql"])
def stack(request, tmp_path, monkeypatch):
    """Build apps on a database and broker of this test's own; returns
    `make_app(**overrides) -> (app, worker_env)`.

    embedded: a new SQLite database and filesystem broker in a fresh instance folder (the
    config reads the folder from `config.INSTANCE` here and from TFF_INSTANCE_PATH in the
    worker). redis-postgresql: as in production, REDIS_URL makes Redis the broker; skipped
    when the services are missing, failed for it under CI=true (see tests/services.py).
    """
    instance = tmp_path / "instance"
    monkeypatch.setattr(config, "INSTANCE", instance)
    env = {"TFF_INSTANCE_PATH": str(instance)}
    if request.param == "embedded":
        monkeypatch.delenv("REDIS_URL", raising=False)
        database = f"sqlite:///{tmp_path / 'tff.sqlite3'}"
    else:
        redis_url = request.getfixturevalue("redis_url")
        database = request.getfixturevalue("postgres_url")
        monkeypatch.setenv("REDIS_URL", redis_url)
        env["REDIS_URL"] = redis_url
    env["DATABASE_URL"] = database
    apps = []

    def make_app(worker_env: dict | None = None, **overrides):
        """The app (config `overrides`), and the environment of its workers (plus `worker_env`)."""
        app = build_app(database, **overrides)
        assert app.config["SQLALCHEMY_DATABASE_URI"] == database
        if request.param == "embedded":
            assert app.config["CELERY"]["broker_url"] == "filesystem://"
            assert app.instance_path == str(instance)
        else:
            assert app.config["CELERY"]["broker_url"] == env["REDIS_URL"]
        migrate(app)
        if request.param != "embedded":
            # The session's PostgreSQL and Redis are shared with other tests: start empty,
            # with no message another test left in the queue.
            _empty_database(app)
            app.extensions["celery"].control.purge()
        apps.append(app)
        return app, {**env, **(worker_env or {})}

    yield make_app
    for app in apps:
        if request.param != "embedded":
            _empty_database(app)
        dispose(app)
