"""An evidence import whose worker is killed part way through: the page shows it failed once the
worker's heartbeat is overdue, nothing of the file is in the database, and the same file
imported again on a new worker goes in whole, once.

Real Celery worker processes (`celery -A worker worker --pool=solo`), as in `test_worker.py`,
each test on a database and broker of its own: the embedded SQLite database and filesystem
broker in a fresh instance folder, or PostgreSQL and Redis.
"""

import io
import signal
from datetime import date, timedelta

import pytest
from sqlalchemy import func, insert, select

from tests.helpers import Maker, sign_in, submit
from tests.worker_support import in_progress, wait_for
from tff.cases.models import Family, Member
from tff.cases.models.member import name_key
from tff.evidence.models import Event, UnmatchedRow
from tff.extensions import db
from tff.imports.models import ImportRejection, ImportRun
from tff.jobs.models import FAILED, RUNNING, SUCCEEDED

pytestmark = pytest.mark.services

#: members the events are about
MEMBERS = 1_000
#: so many events that the worker is still reading them a second or two after it starts
EVENTS = 200_000
#: seconds without a heartbeat after which a running job is shown failed
STALE_AFTER = 3
KINDS = ("asb", "offence", "fixed_exclusion", "domestic_abuse", "missing_episode", "police_callout")


# --- apps and workers (as in test_worker.py) ---------------------------------------------------


# --- the cohort and its file ---------------------------------------------------------------------


def _people(app) -> list[str]:
    """MEMBERS people, one to a family, made with bulk inserts; their person_refs."""
    refs = [f"K{n:05d}-01" for n in range(MEMBERS)]
    with app.app_context():
        db.session.execute(insert(Family), [{"reference": f"K{n:05d}", "programme": "phase1"} for n in range(MEMBERS)])
        family_ids = dict(db.session.execute(select(Family.reference, Family.id)).all())
        db.session.execute(
            insert(Member),
            [
                {
                    "family_id": family_ids[ref[:6]],
                    "person_ref": ref,
                    "first_name": "Sam",
                    "last_name": f"Person{n}",
                    "first_key": name_key("Sam"),
                    "last_key": name_key(f"Person{n}"),
                    "date_of_birth": date(1980, 1, 1) + timedelta(days=n),
                }
                for n, ref in enumerate(refs)
            ],
        )
        db.session.commit()
    return refs


def _events_file(refs: list[str]) -> bytes:
    """EVENTS rows, person by person as extracts come, every one a different event (the detail
    numbers them)."""
    start = date(2013, 1, 1).toordinal()
    each = EVENTS // len(refs)
    lines = ["person_ref,kind,date,source,detail"]
    lines += [
        f"{refs[n // each]},{KINDS[n % len(KINDS)]},{date.fromordinal(start + n % each).isoformat()},police,"
        f"incident {n}"
        for n in range(EVENTS)
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _job_of_run(app, run_id: int) -> dict:
    """The import's job as it is now in the database, read without changing it."""
    with app.app_context():
        run = db.session.get(ImportRun, run_id)
        return run.job.status() if run.job is not None else {"state": "queued", "finished": False}


def _upload(client, data: bytes) -> int:
    form = {"kind": "events", "file": (io.BytesIO(data), "events-2013.csv")}
    response = submit(client, "/imports/new", form, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


# --- the test ------------------------------------------------------------------------------------


def test_an_import_whose_worker_is_killed_keeps_nothing_and_imports_whole_when_started_again(stack, workers):
    app, env = stack(JOB_STALE_AFTER=timedelta(seconds=STALE_AFTER))
    data = _events_file(_people(app))
    client = app.test_client()
    assert sign_in(client, Maker(app).user("coordinator").email).status_code == 302

    def status(run_id: int) -> dict:
        """What the import's page polls for (it also shows a job whose worker went quiet failed)."""
        response = client.get(f"/imports/{run_id}/status")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    worker = workers(env)
    run_id = _upload(client, data)
    running = wait_for(
        lambda: status(run_id), lambda s: in_progress(s) or s["finished"], worker, 30, "running with some rows read"
    )
    assert in_progress(running), f"the import ended before it could be killed (make EVENTS larger): {running}"
    worker.kill()
    assert worker.process.returncode == -signal.SIGKILL

    # Once its heartbeat is overdue the page shows it failed: it is never "running" forever.
    failed = wait_for(
        lambda: status(run_id),
        lambda s: s["state"] != RUNNING,
        worker,
        STALE_AFTER + 10,
        "no longer running",
        dead=True,
    )
    assert failed["state"] == FAILED, failed
    assert failed["finished"] is True
    assert "stopped responding" in failed["message"], failed
    # No half import: not one event, held row or rejection of the file.
    assert _count(app, Event) == 0, "the killed import left events in the database"
    assert _count(app, UnmatchedRow) == 0
    assert _count(app, ImportRejection) == 0
    with app.app_context():
        run = db.session.get(ImportRun, run_id)
        assert not run.finished
        assert (run.accepted, run.rejected, run.unmatched) == (None, None, None)
    assert client.get(f"/imports/{run_id}/rejections.csv").status_code == 404  # it never finished
    assert status(run_id)["state"] == FAILED  # and nothing brings it back to life

    # The same file again, on a new worker: every row accepted, every event stored once. Read
    # from the database while it runs (the status page would also mark a quiet job failed: on
    # SQLite the heartbeat cannot be written while the import's own transaction saves).
    worker = workers(env)
    again = _upload(client, data)
    assert again != run_id
    seen: list[dict] = []
    done = wait_for(lambda: _job_of_run(app, again), lambda s: s["finished"], worker, 120, "finished", seen)
    assert done["state"] == SUCCEEDED, f"{done}\n{worker.output()}"
    assert any(in_progress(s) for s in seen), [(s["state"], s["done"], s["total"]) for s in seen]
    assert status(again)["state"] == SUCCEEDED
    with app.app_context():
        run = db.session.get(ImportRun, again)
        assert run.finished
        assert (run.accepted, run.rejected, run.unmatched) == (EVENTS, 0, 0)
        assert run.tally == {"created": EVENTS, "updated": 0, "unchanged": 0}
        distinct = select(Event.member_id, Event.kind, Event.date, Event.detail).distinct().subquery()
        assert db.session.scalar(select(func.count()).select_from(distinct)) == EVENTS
    assert _count(app, Event) == EVENTS
    assert _count(app, UnmatchedRow) == 0
    assert _count(app, ImportRejection) == 0
    assert status(run_id)["state"] == FAILED
