"""Starting jobs and reading their state."""

from flask import current_app
from sqlalchemy import and_, or_, text, update
from sqlalchemy.exc import OperationalError

from tff.extensions import SQLITE_BUSY_TIMEOUT_MS, db
from tff.jobs.celery import task_name
from tff.jobs.models import FAILED, RUNNING, Job
from tff.timeutil import utcnow


class JobError(Exception):
    """A failure whose message is written for the person who started the job."""


class QueueUnavailable(Exception):
    """The broker could not be reached; the job was recorded as failed and nothing ran."""

    def __init__(self, job: Job):
        super().__init__(job.message)
        self.job = job


STALE_MESSAGE = (
    "The worker running this job stopped responding, so the job did not finish. "
    "Nothing it was doing was kept; start it again."
)


def start(kind: str, title: str, params: dict | None = None, user=None, queue: bool = True) -> Job:
    """Record a job and run it: on a worker (`queue`) or here, waiting for it."""
    # This app's own Celery instance: it knows this app's broker and database.
    task = current_app.extensions["celery"].tasks[task_name(kind)]
    job = Job(kind=kind, title=title, params=params or {}, started_by_id=user.id if user else None)
    db.session.add(job)
    db.session.commit()
    if not queue:
        # A failure is recorded on the Job row, which the caller reads.
        task.apply(args=[job.id], throw=False)
        db.session.expire_all()
        return db.session.get(Job, job.id)
    try:
        task.apply_async(args=[job.id])
    except Exception as exc:  # noqa: BLE001 - kombu raises several types for "no broker"
        current_app.logger.error("could not queue job %s: %s", job.id, exc)
        job.state, job.finished_at = FAILED, utcnow()
        job.message = (
            "The job could not be started because the job queue is unreachable. "
            "Nothing was changed; try again in a few minutes, or tell your administrator."
        )
        job.error = repr(exc)
        db.session.commit()
        raise QueueUnavailable(job) from exc
    return job


#: how long a page waits to mark stale jobs while a job holds SQLite's write lock
STALE_CHECK_WAIT_MS = 200


def mark_stale_jobs() -> int:
    """Running jobs whose worker has gone quiet become failed, in one statement.

    On SQLite a job saving its work holds the one write lock for a while: the page does not
    wait for it (its job is plainly not stale), it looks again on the next request."""
    cutoff = utcnow() - current_app.config["JOB_STALE_AFTER"]
    quiet = or_(Job.heartbeat_at < cutoff, and_(Job.heartbeat_at.is_(None), Job.created_at < cutoff))
    sqlite = db.engine.dialect.name == "sqlite"
    statement = (
        update(Job)
        .where(Job.state == RUNNING, quiet)
        .values(state=FAILED, message=STALE_MESSAGE, finished_at=utcnow())
        .execution_options(synchronize_session=False, preserve_rowcount=True)
    )
    try:
        if sqlite:
            db.session.execute(text(f"PRAGMA busy_timeout={STALE_CHECK_WAIT_MS}"))
        marked = db.session.execute(statement).rowcount
        db.session.commit()
    except OperationalError:
        db.session.rollback()
        marked = 0
    finally:
        if sqlite:
            db.session.execute(text(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}"))
            db.session.commit()
    return marked


def visible_jobs(user):
    """Administrators see every job; everyone else only the jobs they started.

    A job's title and message may name families, files and folders (an import's file name, a
    family's reference), so a job started from the command line or a schedule, which nobody
    in particular started, is for administrators alone.
    """
    query = db.select(Job).order_by(Job.id.desc())
    if user.role != "admin":
        query = query.where(Job.started_by_id == user.id)
    return query
