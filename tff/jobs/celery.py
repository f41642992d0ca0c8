"""Celery wired to the Flask app, as in Flask's own Celery example, plus `job_task`.

A job function is a plain function `fn(job, **params)` registered with `@job_task(kind)`.
The task runs it inside the app context, marks the Job running, beats a heartbeat while it
works, and records how it ended. `job.progress(done, total, message)` writes through its own
connection, so the page sees progress while the function's own transaction is still open.
"""

import logging
import os
import socket
import threading
import time
import traceback

from celery import Celery, Task, shared_task
from flask import Flask, current_app
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from tff.extensions import SQLITE_BUSY_TIMEOUT_MS, db
from tff.jobs.models import FAILED, RUNNING, SUCCEEDED, Job
from tff.timeutil import utcnow

log = logging.getLogger(__name__)

#: how long a progress write waits for SQLite's write lock before it skips
PROGRESS_WAIT_MS = 2000
#: job kinds registered with `job_task`
KINDS: set[str] = set()


def task_name(kind: str) -> str:
    return f"tff.{kind}"


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.conf.update(
        # Fail fast when the broker is down, so the page can say so at once.
        broker_connection_timeout=4,
        task_publish_retry_policy={
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.5,
            "interval_max": 1,
        },
        worker_hijack_root_logger=False,
    )
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


class JobContext:
    """What a job function gets: its Job id and a way to report progress."""

    def __init__(self, job_id: int, engine):
        self.id = job_id
        self._engine = engine

    def progress(self, done: int, total: int | None = None, message: str | None = None, unit: str | None = None):
        values = {"done": done, "heartbeat_at": utcnow()}
        if total is not None:
            values["total"] = total
        if unit is not None:
            values["unit"] = unit
        if message is not None:
            values["message"] = message[:500]
        _write(self._engine, self.id, values)


def _write(engine, job_id: int, values: dict) -> None:
    """Update the Job row in a transaction of its own; never fails the job for it."""
    try:
        with engine.begin() as conn:
            sqlite = engine.dialect.name == "sqlite"
            if sqlite:
                # Skip rather than wait when the job's own transaction holds the write lock.
                conn.exec_driver_sql(f"PRAGMA busy_timeout={PROGRESS_WAIT_MS}")
            try:
                conn.execute(update(Job).where(Job.id == job_id).values(**values))
            finally:
                if sqlite:  # the pooled connection goes back waiting as long as the app does
                    conn.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    except Exception as exc:  # noqa: BLE001 - progress is best effort; the job's outcome is not
        # Expected on SQLite while the job's own final transaction holds the write lock.
        log.info("job %s progress not written this time: %s", job_id, exc.__class__.__name__)


class _Heartbeat(threading.Thread):
    def __init__(self, engine, job_id: int, every: int):
        super().__init__(daemon=True, name=f"job-{job_id}-heartbeat")
        self.engine, self.job_id, self.every = engine, job_id, every
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.wait(self.every):
            _write(self.engine, self.job_id, {"heartbeat_at": utcnow()})


def run_job(fn, job_id: int):
    """Run one job function for Job `job_id`, recording start, heartbeat and end."""
    engine = db.engine
    job = db.session.get(Job, job_id)
    if job is None:
        log.error("job %s does not exist", job_id)
        return
    if job.finished:
        # A redelivered message for a job that already ended (or was declared stale).
        log.warning("job %s already %s; not running it again", job_id, job.state)
        return
    params = dict(job.params or {})
    now = utcnow()
    job.state, job.started_at, job.heartbeat_at = RUNNING, now, now
    job.worker = f"{socket.gethostname()}:{os.getpid()}"
    job.message = "Started"
    db.session.commit()

    heartbeat = _Heartbeat(engine, job_id, current_app.config["JOB_HEARTBEAT_EVERY"])
    heartbeat.start()
    from tff.jobs.operations import JobError

    try:
        result = fn(JobContext(job_id, engine), **params)
    except JobError as exc:
        # A failure written for people (a refused file, a rule not met): no traceback to log,
        # and nothing for Celery to retry or report; the Job row says what happened.
        _rollback()
        log.info("job %s (%s) did not go ahead: %s", job_id, fn.__name__, exc)
        _finish(job_id, FAILED, str(exc))
        return
    except Exception as exc:
        _rollback()
        log.exception("job %s (%s) failed", job_id, fn.__name__)
        message = DATABASE_MESSAGE if _connection_lost(exc) else FAILURE_MESSAGE
        _finish(job_id, FAILED, message, error=traceback.format_exc())
        raise
    finally:
        heartbeat.stopped.set()
    result = result or {}
    _finish(job_id, SUCCEEDED, result.pop("message", "Finished"), result=result)


FAILURE_MESSAGE = "The job failed because of an error in the system. Nothing it was doing was kept."
DATABASE_MESSAGE = (
    "The job stopped because the connection to the database was lost. Nothing it was doing was kept; start it again."
)
#: how long a job's end is retried while the database is unreachable (a restart takes seconds)
FINISH_RETRY_SECONDS = 30


def _connection_lost(exc: Exception) -> bool:
    """The database dropped the connection or refused a new one (a restart, a failover), as
    opposed to an error of the job's own, such as a deadlock or a lock timeout."""
    if not isinstance(exc, OperationalError):
        return False
    # A refused connection carries no SQLSTATE; a server's own errors all do.
    return exc.connection_invalidated or (
        db.engine.dialect.name == "postgresql" and getattr(exc.orig, "sqlstate", None) is None
    )


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone: the pool replaces it
        db.session.remove()


def _finish(job_id: int, state: str, message: str, result=None, error=None):
    """Record how the job ended, retrying while the database is unreachable, so a job does not
    stay "running" (and later show as abandoned by its worker) because of a passing outage."""
    deadline = time.monotonic() + FINISH_RETRY_SECONDS
    while True:
        _rollback()
        try:
            job = db.session.get(Job, job_id)
            job.state, job.message, job.finished_at = state, message[:500], utcnow()
            job.heartbeat_at = job.finished_at
            if result is not None:
                job.result = result
                if job.total:
                    job.done = job.total
            job.error = error
            db.session.commit()
            return
        except OperationalError:
            if time.monotonic() > deadline:
                raise
            log.warning("job %s: the database is unreachable; recording its end again shortly", job_id)
            time.sleep(1)


def job_task(kind: str):
    """Register `fn(job, **params)` as the job of this kind."""

    def decorator(fn):
        @shared_task(name=task_name(kind), ignore_result=True)
        def task(job_id: int):
            run_job(fn, job_id)

        KINDS.add(kind)
        return fn

    return decorator
