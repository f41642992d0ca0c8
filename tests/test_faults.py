"""Faults on the production stack (PostgreSQL, Redis and a real Celery worker): nothing is lost
or half written, and every job ends in a state its page shows clearly.

- Redis stopped and started again while a job runs: the job finishes, and the worker takes the
  next job once Redis is back. A job started while Redis is down is refused at once: its page
  says the job queue is unreachable and nothing was changed (a council user learns now, not
  hours later, that the work did not start), and the job is failed, never left waiting.
- A worker killed during an evaluation: the job is shown failed, the evaluation never
  finishes, and the decisions kept are those of whole chunks, each family's once. (An import
  and a claim assembly killed part way: tests/test_import_killed.py, tests/test_claims_worker.py.)
- PostgreSQL restarted: pages give a styled 503 "try again" while it is down and work again
  afterwards without restarting the app; a job it interrupts fails saying the database
  connection was lost, keeps nothing, and the same worker runs the next job.

This module runs its own PostgreSQL and Redis servers, as the tests stop and start them.
"""

import io
import shutil
import signal
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests import services
from tests.helpers import Maker, sign_in, submit
from tests.test_claims_worker import _attach
from tests.test_import_killed import EVENTS, _events_file, _people
from tests.worker_support import in_progress, wait_for
from tff.evidence.models import Event
from tff.extensions import db
from tff.imports.models import ImportRun
from tff.jobs.models import FAILED, RUNNING, SUCCEEDED
from tff.outcomes.models import DONE, Evaluation, EvaluationChunk, OutcomeDecision

pytestmark = [pytest.mark.services, pytest.mark.parametrize("stack", ["redis-postgresql"], indirect=True)]

#: seconds without a heartbeat after which a running job is shown failed
STALE_AFTER = 3


@pytest.fixture(scope="module")
def postgres_server():
    if reason := services.postgres_available(include_url=False):
        services.unavailable(reason)
    server = services.Postgres()
    server.url = server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def redis_server():
    if not shutil.which("redis-server"):
        services.unavailable("Redis is not installed (apt-get install redis-server)")
    server = services.Redis()
    server.url = server.start()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server):
    """This module's own PostgreSQL, which the tests stop and start."""
    return postgres_server.url


@pytest.fixture
def redis_url(redis_server):
    """This module's own Redis, which the tests stop and start."""
    return redis_server.url


# --- reading what the pages and the database show ----------------------------------------------


def _signed_in(app):
    client = app.test_client()
    assert sign_in(client, Maker(app).user("coordinator").email).status_code == 302
    return client


def _polled(client, url: str) -> dict:
    """What a job's page polls for (it also shows a job whose worker went quiet failed)."""
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_json()


def _upload(client, data: bytes) -> int:
    form = {"kind": "events", "file": (io.BytesIO(data), "events-2013.csv")}
    response = submit(client, "/imports/new", form, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _one_event(ref: str) -> bytes:
    return f"person_ref,kind,date,source,detail\r\n{ref},asb,2013-03-01,police,after the fault\r\n".encode()


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _import_under_way(client, refs, worker, before: str) -> int:
    """An import of the big events file, uploaded and seen reading its rows on the worker."""
    run_id = _upload(client, _events_file(refs))
    running = wait_for(
        lambda: _polled(client, f"/imports/{run_id}/status"),
        lambda s: in_progress(s) or s["finished"],
        worker,
        30,
        "reading rows",
    )
    assert in_progress(running), f"the import ended before {before}: {running}"
    return run_id


def _finishes(client, run_id: int, worker, timeout: float, dead=False) -> dict:
    return wait_for(
        lambda: _polled(client, f"/imports/{run_id}/status"),
        lambda s: s["finished"],
        worker,
        timeout,
        "finished",
        dead=dead,
    )


# --- Redis ---------------------------------------------------------------------------------------


def test_a_job_running_while_redis_stops_and_starts_again_finishes_and_the_next_job_runs(stack, workers, redis_server):
    app, env = stack(JOB_STALE_AFTER=timedelta(seconds=STALE_AFTER))
    refs = _people(app)
    client = _signed_in(app)
    worker = workers(env)
    run_id = _import_under_way(client, refs, worker, "Redis was stopped")

    redis_server.stop()
    time.sleep(1)
    redis_server.restart()

    done = _finishes(client, run_id, worker, 120)
    assert done["state"] == SUCCEEDED, f"{done}\n{worker.output()}"
    assert _count(app, Event) == EVENTS
    # The worker is connected to the restarted Redis: the next job is taken and runs.
    after = _upload(client, _one_event(refs[0]))
    assert _finishes(client, after, worker, 60)["state"] == SUCCEEDED, worker.output()
    assert _count(app, Event) == EVENTS + 1


def test_a_job_started_while_redis_is_down_is_refused_clearly_and_changes_nothing(stack, workers, redis_server):
    app, env = stack()
    refs = _people(app)
    client = _signed_in(app)
    worker = workers(env)
    redis_server.stop()
    try:
        began = time.monotonic()
        run_id = _upload(client, _one_event(refs[0]))
        assert time.monotonic() - began < 15, "the upload took too long to give up on the job queue"
        page = client.get(f"/imports/{run_id}")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "job queue is unreachable" in text and "Nothing was changed" in text
        assert 'data-state="failed"' in text
        # The evaluation start page likewise: its page says why, and no evaluation is decided.
        response = submit(client, "/outcomes/new", {"as_of": ["31", "7", "2013"]})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        evaluation = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "job queue is unreachable" in evaluation and 'data-state="failed"' in evaluation
    finally:
        redis_server.restart()
    refused = _polled(client, f"/imports/{run_id}/status")
    assert refused["state"] == FAILED and refused["finished"], refused  # not left waiting for ever
    assert _count(app, Event) == 0
    with app.app_context():
        assert not db.session.get(ImportRun, run_id).finished
        assert db.session.scalar(select(func.count()).select_from(OutcomeDecision)) == 0

    # Redis back: the same file, uploaded again, goes in once.
    again = _upload(client, _one_event(refs[0]))
    assert _finishes(client, again, worker, 60)["state"] == SUCCEEDED, worker.output()
    assert _count(app, Event) == 1
    assert _polled(client, f"/imports/{run_id}/status")["state"] == FAILED


# --- a worker killed during an evaluation --------------------------------------------------------


def test_an_evaluation_whose_worker_is_killed_is_shown_failed_and_keeps_each_decision_once(stack, workers):
    chunk, families = 5, 400
    app, env = stack(
        {"TFF_OUTCOMES_CHUNK": str(chunk)}, OUTCOMES_CHUNK=chunk, JOB_STALE_AFTER=timedelta(seconds=STALE_AFTER)
    )
    _attach(app, 0, families)
    client = _signed_in(app)
    worker = workers(env)
    response = submit(client, "/outcomes/new", {"as_of": ["31", "7", "2013"]})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    evaluation_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    status = f"/outcomes/{evaluation_id}/status"
    running = wait_for(
        lambda: _polled(client, status), lambda s: in_progress(s) or s["finished"], worker, 30, "deciding"
    )
    assert in_progress(running), f"the evaluation ended before it could be killed: {running}"
    worker.kill()
    assert worker.process.returncode == -signal.SIGKILL

    failed = wait_for(
        lambda: _polled(client, status), lambda s: s["state"] != RUNNING, worker, STALE_AFTER + 10, "ended", dead=True
    )
    assert failed["state"] == FAILED and "stopped responding" in failed["message"], failed
    page = client.get(f"/outcomes/{evaluation_id}").get_data(as_text=True)
    assert 'data-state="failed"' in page and "Nothing of this evaluation is used" in page
    with app.app_context():
        evaluation = db.session.get(Evaluation, evaluation_id)
        assert evaluation.finished_at is None and evaluation.decisions is None
        done = db.session.scalar(
            select(func.coalesce(func.sum(EvaluationChunk.families), 0)).where(
                EvaluationChunk.evaluation_id == evaluation_id, EvaluationChunk.state == DONE
            )
        )
        kept = OutcomeDecision.evaluation_id == evaluation_id
        decisions, each_once, decided = db.session.execute(
            select(
                func.count(),
                func.count(func.distinct(func.concat(OutcomeDecision.family_id, ":", OutcomeDecision.outcome))),
                func.count(func.distinct(OutcomeDecision.family_id)),
            ).where(kept)
        ).one()
    assert 0 < done < families, done
    # Only whole chunks were kept: the families of the chunks done, three results each, once.
    assert decided == done and decisions == each_once == 3 * done


# --- PostgreSQL restarted ------------------------------------------------------------------------


def test_pages_say_try_again_while_the_database_is_down_and_work_again_after(stack, postgres_server):
    app, _ = stack()
    client = _signed_in(app)
    assert client.get("/jobs/").status_code == 200
    postgres_server.stop_server()
    try:
        for url in ("/jobs/", "/", "/imports/new"):
            response = client.get(url)
            text = response.get_data(as_text=True)
            assert response.status_code == 503, (url, text[:2000])
            assert "Sorry, the service is unavailable" in text and "Try again in a few minutes" in text
            assert "Traceback" not in text and "OperationalError" not in text
            assert 'class="govuk-heading-l"' in text  # the service's own page, styled
    finally:
        postgres_server.start_server()
    # The same app, not restarted: its pool replaces the dropped connections.
    assert client.get("/jobs/").status_code == 200
    assert "Sign out" in client.get("/").get_data(as_text=True)


def test_a_job_interrupted_by_a_database_restart_fails_clearly_and_keeps_nothing(stack, workers, postgres_server):
    app, env = stack()
    refs = _people(app)
    client = _signed_in(app)
    worker = workers(env)
    run_id = _import_under_way(client, refs, worker, "the database was restarted")
    postgres_server.stop_server()
    time.sleep(1)
    postgres_server.start_server()

    failed = _finishes(client, run_id, worker, 60)
    assert failed["state"] == FAILED, f"{failed}\n{worker.output()}"
    assert "connection to the database was lost" in failed["message"], failed
    assert "Nothing it was doing was kept" in failed["message"]
    assert _count(app, Event) == 0
    with app.app_context():
        assert not db.session.get(ImportRun, run_id).finished
    # The same worker, not restarted, runs the next job.
    again = _upload(client, _one_event(refs[0]))
    assert _finishes(client, again, worker, 60)["state"] == SUCCEEDED, worker.output()
    assert _count(app, Event) == 1
