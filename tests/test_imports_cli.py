"""`flask import KIND FILE [--dry-run] [--queue]` as the command-line contract fixes it."""

import pytest
from sqlalchemy import func, select

from tests.imports_support import families_csv, family, member, members_csv
from tff.cases.models import Family, Member
from tff.extensions import db
from tff.imports.kinds import families as families_format
from tff.imports.models import ImportRun
from tff.jobs.models import Job


@pytest.fixture
def flask_import(clean, tmp_path):
    runner = clean.test_cli_runner()

    def invoke(kind: str, data: bytes | None, *options, name: str = "file.csv"):
        path = tmp_path / name
        if data is not None:
            path.write_bytes(data)
        return runner.invoke(args=["import", kind, str(path), *options])

    return invoke


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_families_then_members_from_the_command_line(clean, flask_import):
    families = families_csv(family("F001"), family("F002"), family("F003", identified_on="2013-02-30"))
    result = flask_import("families", families)
    assert result.exit_code == 0, result.output
    assert result.stdout == "accepted 2, rejected 1, unmatched 0\n"
    assert result.stderr == 'line 4: identified_on "2013-02-30" is not a real date\n'

    members = members_csv(
        member("F001-01"),
        member("F002-01", family_ref="F002", upn="bad", date_of_birth="2013-02-30"),
        member("F003-01", family_ref="F003"),
    )
    result = flask_import("members", members)
    assert result.exit_code == 0, result.output
    assert result.stdout == "accepted 1, rejected 2, unmatched 0\n"
    assert result.stderr.splitlines() == [
        'line 3: date_of_birth "2013-02-30" is not a real date; '
        'upn "bad" is not a Unique Pupil Number (a letter then 12 digits)',
        'line 4: family_ref "F003" is not a family in the product: import it in a families file first',
    ]
    assert _count(clean, Member) == 1
    with clean.app_context():
        runs = db.session.scalars(select(ImportRun).order_by(ImportRun.id)).all()
        assert [(r.kind, r.filename, r.started_by_id, r.accepted) for r in runs] == [
            ("families", "file.csv", None, 2),
            ("members", "file.csv", None, 1),
        ]
        job = db.session.get(Job, runs[0].job_id)
        assert (job.kind, job.state, job.unit) == ("import", "succeeded", "rows")
        assert job.result["accepted"] == 2


def test_a_file_with_only_rejected_rows_was_still_read(flask_import):
    result = flask_import("families", families_csv(family("F001", programme="x")))
    assert result.exit_code == 0
    assert result.stdout == "accepted 0, rejected 1, unmatched 0\n"


def test_a_refused_file_exits_2_naming_the_problem_and_changes_nothing(clean, flask_import, caplog):
    result = flask_import("families", b"family_ref,programe\nF001,phase1\n")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "refused" in result.stderr
    assert "no programme column" in result.stderr and "programe" in result.stderr
    # A refusal is no error of the system's: no traceback logged beside the command's own words.
    assert not [r for r in caplog.records if r.exc_info]
    assert _count(clean, Family) == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["import", "families", "/no/such/file.csv"], "does not exist"),
        (["import", "spells-and-charms", "FILE"], "Invalid value for 'KIND'"),
        (["import", "families"], "Missing argument 'FILE'"),
        (["import", "families", "DIRECTORY"], "is a directory"),
    ],
)
def test_unusable_arguments_exit_2_and_nothing_is_recorded(clean, tmp_path, args, words):
    (tmp_path / "file.csv").write_bytes(families_csv(family("F001")))
    args = [str(tmp_path / "file.csv") if a == "FILE" else str(tmp_path) if a == "DIRECTORY" else a for a in args]
    result = clean.test_cli_runner().invoke(args=args)
    assert result.exit_code == 2
    assert words in result.output
    assert _count(clean, ImportRun) == 0
    assert _count(clean, Family) == 0


def test_a_job_that_fails_otherwise_exits_1(clean, flask_import, monkeypatch):
    def broken(model, rows):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(families_format, "bulk_insert", broken)
    result = flask_import("families", families_csv(family("F001")))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "The job failed because of an error in the system" in result.stderr
    assert _count(clean, Family) == 0


def test_a_dry_run_reports_and_changes_nothing(clean, flask_import):
    result = flask_import("families", families_csv(family("F001"), family("F002", programme="?")), "--dry-run")
    assert result.exit_code == 0
    assert result.stdout == "accepted 1, rejected 1, unmatched 0\n"
    assert "Dry run: nothing was changed." in result.stderr
    assert _count(clean, Family) == 0


@pytest.fixture
def eager(clean):
    """A queue that runs each task at once, as a worker would."""
    conf = clean.extensions["celery"].conf
    conf.task_always_eager = True
    yield
    conf.task_always_eager = False


def test_queue_hands_the_import_to_the_workers_and_waits(clean, flask_import, eager):
    result = flask_import("families", families_csv(family("F001")), "--queue")
    assert result.exit_code == 0, result.output
    assert result.stdout == "accepted 1, rejected 0, unmatched 0\n"
    assert _count(clean, Family) == 1
