"""Assembling a claim window's draft on a real worker: a worker killed part way through leaves
the draft as it was (no lines for a window never assembled, the previous lines otherwise) and
the job failed once its heartbeat is overdue, and the assembly started again completes with
the new lines, once; a job queue that cannot be reached refuses the assembly and changes
nothing; a window is assembled by one job at a time.

Real Celery worker processes (`celery -A worker worker --pool=solo`), as in `test_worker.py`
and `test_import_killed.py`, each test on a database and broker of its own: the embedded
SQLite database and filesystem broker in a fresh instance folder, or PostgreSQL and Redis.
"""

import signal
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import func, insert, select

import config
from tests.conftest import build_app
from tests.helpers import Maker, sign_in
from tests.services import free_port
from tests.worker_support import dispose, in_progress, migrate, wait_for
from tff.cases.models import Family, Member
from tff.cases.models.member import name_key
from tff.claims import operations
from tff.claims.models import ClaimLine, ClaimWindow
from tff.evidence.models import AttendanceRecord, Event
from tff.extensions import db
from tff.jobs.models import FAILED, QUEUED, RUNNING, SUCCEEDED, Job
from tff.jobs.operations import QueueUnavailable
from tff.outcomes.models import Evaluation

pytestmark = pytest.mark.services

#: families in the first draft, and more attached before it is assembled again
FIRST = 400
MORE = 200
#: families a worker decides at a time: small, so the assembly shows progress for a while
CHUNK = 5
#: seconds without a heartbeat after which a running job is shown failed
STALE_AFTER = 3
AS_OF = date(2013, 7, 31)
#: what each family's one claimable result is worth as of AS_OF (worked example 1)
OUTCOME, AMOUNT = "crime_asb_education", 700


# --- apps and workers (as in test_import_killed.py) ----------------------------------------------


# --- the cohort ----------------------------------------------------------------------------------


def _attach(app, first: int, count: int) -> None:
    """Families F{first}.. like worked example 1, in bulk: attached 2012-09-15, a child whose
    unauthorised absence fell from 20% to 8% and whose ASB fell from 5 incidents to 1, so as of
    AS_OF each has crime/ASB/education met, worth £700."""
    numbers = range(first, first + count)
    with app.app_context():
        db.session.execute(
            insert(Family),
            [
                {
                    "reference": f"F{n:05d}",
                    "programme": "phase1",
                    "status": "attached",
                    "identified_on": date(2012, 6, 1),
                    "attached_on": date(2012, 9, 15),
                }
                for n in numbers
            ],
        )
        family_ids = dict(
            db.session.execute(
                select(Family.reference, Family.id).where(Family.reference.in_([f"F{n:05d}" for n in numbers]))
            ).all()
        )
        db.session.execute(
            insert(Member),
            [
                {
                    "family_id": family_ids[f"F{n:05d}"],
                    "person_ref": f"F{n:05d}-C",
                    "first_name": "Casey",
                    "last_name": f"Child{n}",
                    "first_key": name_key("Casey"),
                    "last_key": name_key(f"Child{n}"),
                    "date_of_birth": date(2001, 5, 1),
                }
                for n in numbers
            ],
        )
        member_ids = dict(
            db.session.execute(
                select(Member.person_ref, Member.id).where(Member.person_ref.in_([f"F{n:05d}-C" for n in numbers]))
            ).all()
        )
        terms = [("2011/12", t, 20) for t in ("autumn", "spring", "summer")]
        terms += [("2012/13", t, 8) for t in ("autumn", "spring", "summer")]
        days = [date(2012, 3, 15), date(2012, 5, 1), date(2012, 6, 1), date(2012, 8, 1), date(2012, 9, 14)]
        days.append(date(2013, 5, 10))
        attendance, events = [], []
        for member_id in member_ids.values():
            attendance += [
                {
                    "member_id": member_id,
                    "academic_year": year,
                    "term": term,
                    "possible": 100,
                    "unauthorised": absent,
                    "school": "",
                }
                for year, term, absent in terms
            ]
            events += [
                {"member_id": member_id, "kind": "asb", "date": d, "source": "police", "detail": ""} for d in days
            ]
        db.session.execute(insert(AttendanceRecord), attendance)
        db.session.execute(insert(Event), events)
        db.session.commit()


def _refs(first: int, count: int) -> set[str]:
    return {f"F{n:05d}" for n in range(first, first + count)}


def _window(app, name: str) -> int:
    with app.app_context():
        return operations.create_window(name, AS_OF, sample_percent=0).id


def _start(app, window_id: int) -> int:
    with app.app_context():
        job = operations.start_assembly(db.session.get(ClaimWindow, window_id))
        assert job.state == QUEUED and job.params["window_id"] == window_id
        return job.id


def _draft(app, window_id: int) -> dict:
    """The window's draft as it is now: its lines, and whether they are each a different result."""
    with app.app_context():
        window = db.session.get(ClaimWindow, window_id)
        lines = db.session.execute(
            select(ClaimLine.family_ref, ClaimLine.outcome, ClaimLine.amount).where(
                ClaimLine.batch_id == window.batch.id
            )
        ).all()
        return {
            "lines": len(lines),
            "refs": {ref for ref, _, _ in lines},
            "distinct": len(set(lines)),
            "outcomes": {outcome for _, outcome, _ in lines},
            "amount": sum(amount for *_, amount in lines),
            "assembled": window.batch.assembled_at,
            "evaluation_id": window.batch.evaluation_id,
            "state": operations.state_of(window),
        }


def _read_job(app, job_id: int) -> dict:
    """The Job row as it is now in the database, read without changing it."""
    with app.app_context():
        return db.session.get(Job, job_id).status()


# --- the tests -----------------------------------------------------------------------------------


def test_an_assembly_whose_worker_is_killed_leaves_the_draft_as_it_was(stack, workers):
    started = time.monotonic()
    app, env = stack({"TFF_OUTCOMES_CHUNK": str(CHUNK)}, JOB_STALE_AFTER=timedelta(seconds=STALE_AFTER))
    _attach(app, 0, FIRST)
    client = app.test_client()
    # The assemblies are started by nobody in particular, so an administrator follows them.
    assert sign_in(client, Maker(app).user("admin").email).status_code == 302

    def status(job_id: int) -> dict:
        """What the job's page polls for (it also shows a job whose worker went quiet failed)."""
        response = client.get(f"/jobs/{job_id}/status")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def kill_part_way(worker, job_id: int) -> None:
        running = wait_for(
            lambda: status(job_id), lambda s: in_progress(s) or s["finished"], worker, 30, "deciding families"
        )
        assert in_progress(running), f"the assembly ended before it could be killed (make FIRST larger): {running}"
        # While it runs, the window is assembled by no other job, here or on the command line.
        refused(job_id)
        cli = app.test_cli_runner().invoke(args=["claims", "assemble", "2013-07"])
        assert cli.exit_code == 1 and f"being assembled already (job {job_id})" in cli.output, cli.output
        assert status(job_id)["state"] == RUNNING
        worker.kill()
        assert worker.process.returncode == -signal.SIGKILL
        # Once its heartbeat is overdue the page shows it failed: it is never "running" forever.
        failed = wait_for(
            lambda: status(job_id),
            lambda s: s["state"] != RUNNING,
            worker,
            STALE_AFTER + 10,
            "no longer running",
            dead=True,
        )
        assert failed["state"] == FAILED and failed["finished"] is True, failed
        assert "stopped responding" in failed["message"], failed

    def refused(job_id: int) -> None:
        with app.app_context():
            window = db.session.get(ClaimWindow, window_id)
            with pytest.raises(operations.ClaimRefused) as raised:
                operations.start_assembly(window)
            assert str(raised.value) == f"The claim for 2013-07 is being assembled already (job {job_id})."
            assert operations.assembling(window).id == job_id
            assert db.session.scalar(select(func.max(Job.id))) == job_id  # the refusal recorded no job

    def assemble(worker, window_id: int) -> dict:
        job_id = _start(app, window_id)
        seen: list[dict] = []
        done = wait_for(lambda: _read_job(app, job_id), lambda s: s["finished"], worker, 60, "finished", seen)
        assert done["state"] == SUCCEEDED, f"{done}\n{worker.output()}"
        return done

    # A window never assembled, its first assembly killed: no lines at all.
    window_id = _window(app, "2013-07")
    killed = _start(app, window_id)
    assert _read_job(app, killed)["state"] == QUEUED  # no worker yet
    refused(killed)  # a second start is refused while the first is queued, and records no job
    worker = workers(env)
    kill_part_way(worker, killed)
    empty = _draft(app, window_id)
    assert (empty["lines"], empty["assembled"], empty["evaluation_id"], empty["state"]) == (0, None, None, "open")

    # Assembled whole on a new worker: a line a family.
    worker = workers(env)
    first = assemble(worker, window_id)
    assert (first["result"]["lines"], first["result"]["amount"]) == (FIRST, FIRST * AMOUNT)
    before = _draft(app, window_id)
    assert before["refs"] == _refs(0, FIRST) and before["distinct"] == before["lines"] == FIRST
    assert before["outcomes"] == {OUTCOME} and before["amount"] == FIRST * AMOUNT
    assert before["state"] == "draft assembled"

    # More families attached; assembled again, and killed while it decides them: the previous
    # draft stands, line for line.
    _attach(app, FIRST, MORE)
    second = _start(app, window_id)
    kill_part_way(worker, second)
    assert _draft(app, window_id) == before
    with app.app_context():  # its evaluation never finished
        evaluation = db.session.scalar(select(Evaluation).where(Evaluation.job_id == second))
        assert evaluation is not None and evaluation.finished_at is None

    # Assembled again on a new worker: the new lines replace the old, once each.
    worker = workers(env)
    third = assemble(worker, window_id)
    assert third["result"]["lines"] == FIRST + MORE and third["result"]["families"] == FIRST + MORE
    after = _draft(app, window_id)
    assert after["refs"] == _refs(0, FIRST + MORE)
    assert after["lines"] == after["distinct"] == FIRST + MORE
    assert after["amount"] == (FIRST + MORE) * AMOUNT
    assert after["evaluation_id"] == third["result"]["evaluation_id"] != before["evaluation_id"]
    # The killed jobs stay failed: nothing brings them back to life.
    assert status(killed)["state"] == status(second)["state"] == FAILED
    took = time.monotonic() - started
    assert took < 60, f"the test took {took:.0f}s: make FIRST or MORE smaller"


def test_an_assembly_started_while_the_job_queue_is_unreachable_changes_nothing(tmp_path, monkeypatch):
    # As in production, with REDIS_URL naming a Redis where nothing listens.
    broker = f"redis://127.0.0.1:{free_port()}/0"
    monkeypatch.setenv("REDIS_URL", broker)
    monkeypatch.setattr(config, "INSTANCE", tmp_path / "instance")
    app = build_app(f"sqlite:///{tmp_path / 'tff.sqlite3'}")
    assert app.config["CELERY"]["broker_url"] == broker
    migrate(app)
    try:
        _attach(app, 0, 3)
        window_id = _window(app, "2013-07")
        before = _draft(app, window_id)
        with app.app_context():
            began = time.monotonic()
            with pytest.raises(QueueUnavailable) as raised:
                operations.start_assembly(db.session.get(ClaimWindow, window_id))
            assert time.monotonic() - began < 10, "start_assembly() took too long to give up on the queue"
        message = str(raised.value)
        assert "job queue is unreachable" in message and "Nothing was changed" in message

        job = _read_job(app, raised.value.job.id)
        assert job["state"] == FAILED and job["finished"] is True
        assert job["message"] == message
        with app.app_context():
            row = db.session.get(Job, raised.value.job.id)
            assert row.kind == operations.JOB_KIND and row.params["window_id"] == window_id
            assert row.worker is None and row.error
            assert db.session.scalar(select(func.count()).select_from(Job)) == 1
            assert db.session.scalar(select(func.count()).select_from(Evaluation)) == 0
            window = db.session.get(ClaimWindow, window_id)
            assert (window.name, window.as_of) == ("2013-07", AS_OF)
            # A job that never ran does not hold the window: starting again tries the queue again.
            assert operations.assembling(window) is None
            with pytest.raises(QueueUnavailable):
                operations.start_assembly(window)
        assert _draft(app, window_id) == before
        assert (before["lines"], before["assembled"], before["state"]) == (0, None, "open")
    finally:
        dispose(app)
