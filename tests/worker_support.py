"""What the tests that run real worker processes share: apps on a database of their own,
workers started for a test and stopped after it, and waiting for what a worker does."""

import time

import flask_migrate
import pytest

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
