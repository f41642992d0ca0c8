"""`flask claims ...` as the command-line contract fixes it, through a window's life: create,
assemble (again, without duplicates), exclude, sample, verify, submit, export; and the rules
on what may be claimed across windows, guarded by the database too."""

import csv
from datetime import date

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from tests.test_outcomes_cli import _example_one
from tff.claims.models import ClaimLine
from tff.extensions import db


@pytest.fixture
def run(clean):
    runner = clean.test_cli_runner()

    def invoke(*args):
        return runner.invoke(args=["claims", *args])

    return invoke


@pytest.fixture
def cohort(clean):
    """F001: worked example 1 (crime/ASB/education met as of 2013-07-31, £700); F002: example 2
    (three recent ASB incidents: not met)."""
    _example_one(clean, "F001")
    _example_one(clean, "F002", asb_recent=3)
    return clean


def _lines(app) -> list[tuple]:
    with app.app_context():
        return [
            tuple(r)
            for r in db.session.execute(
                select(ClaimLine.family_ref, ClaimLine.outcome, ClaimLine.amount, ClaimLine.excluded).order_by(
                    ClaimLine.id
                )
            )
        ]


def test_a_window_from_creation_to_export(run, cohort, tmp_path):
    created = run("window-create", "2013-07", "--as-of", "2013-07-31", "--sample-percent", "100")
    assert created.exit_code == 0, created.output
    assert run("window-create", "2013-07", "--as-of", "2013-07-31").exit_code == 1  # the name is taken

    assembled = run("assemble", "2013-07")
    assert assembled.exit_code == 0, assembled.output
    assert "1 lines, £700" in assembled.output
    assert run("assemble", "2013-07").exit_code == 0  # again: the draft's lines are replaced
    assert _lines(cohort) == [("F001", "crime_asb_education", 700, False)]
    with cohort.app_context():
        reasons = db.session.scalar(select(ClaimLine.reasons))
    assert any("5 -> 1" in reason for reason in reasons)  # the frozen evidence

    refused = run("submit", "2013-07")
    assert refused.exit_code == 1 and "sample" in refused.output
    sample = run("sample", "2013-07")
    assert sample.exit_code == 0 and "F001,crime_asb_education,700" in sample.output
    assert run("submit", "2013-07").exit_code == 1  # sampled, not verified
    assert run("verify", "2013-07", "F001", "crime_asb_education", "--note", "school returns checked").exit_code == 0
    submitted = run("submit", "2013-07")
    assert submitted.exit_code == 0 and "£700" in submitted.output

    assert run("assemble", "2013-07").exit_code == 1
    excluded = run("exclude", "2013-07", "F001", "crime_asb_education", "--reason", "late")
    assert excluded.exit_code == 1 and "never change" in excluded.output

    out = tmp_path / "lines.csv"
    assert run("export", "2013-07", "--out", str(out)).exit_code == 0
    assert list(csv.reader(out.open())) == [
        ["window", "family_ref", "outcome", "attachment_year", "amount", "status"],
        ["2013-07", "F001", "crime_asb_education", "2012/13", "700", "included"],
    ]
    assert run("export", "2013-07", "--out", str(out), "--summary").exit_code == 0
    assert list(csv.reader(out.open())) == [
        ["window", "outcome", "attachment_year", "families", "amount"],
        ["2013-07", "crime_asb_education", "2012/13", "1", "700"],
    ]


def test_a_result_is_claimed_once_across_windows(run, cohort):
    assert run("window-create", "2013-07", "--as-of", "2013-07-31", "--sample-percent", "0").exit_code == 0
    assert run("assemble", "2013-07").exit_code == 0
    # Another window's draft counts as claimed: the later window does not claim it again.
    assert run("window-create", "2013-10", "--as-of", "2013-10-31", "--sample-percent", "0").exit_code == 0
    later = run("assemble", "2013-10")
    assert later.exit_code == 0 and "0 lines" in later.output
    # Excluded from the first, it is the later window's to claim.
    assert run("exclude", "2013-07", "F001", "crime_asb_education", "--reason", "evidence late").exit_code == 0
    assert "1 lines" in run("assemble", "2013-10").output
    # The database refuses a second line for the same result, whatever the application does.
    with cohort.app_context():
        with pytest.raises(IntegrityError):
            db.session.execute(update(ClaimLine).values(excluded=False))
            db.session.flush()
        db.session.rollback()


def test_the_database_refuses_changes_to_a_submitted_claim(run, cohort):
    assert run("window-create", "2013-07", "--as-of", "2013-07-31", "--sample-percent", "0").exit_code == 0
    assert run("assemble", "2013-07").exit_code == 0
    assert run("submit", "2013-07").exit_code == 0
    with cohort.app_context():
        for statement in ("UPDATE claim_lines SET amount = 1", "DELETE FROM claim_lines"):
            with pytest.raises((IntegrityError, OperationalError, ProgrammingError, Exception)) as raised:
                db.session.execute(text(statement))
            assert "never change" in str(raised.value)
            db.session.rollback()
        with pytest.raises(Exception, match="never changes"):
            db.session.execute(text("UPDATE claim_batches SET state = 'draft'"))
        db.session.rollback()
    assert _lines(cohort) == [("F001", "crime_asb_education", 700, False)]


def test_unknown_windows_and_lines_are_refused_with_a_message(run, cohort):
    missing = run("assemble", "nope")
    assert missing.exit_code == 1 and "no claim window named 'nope'" in missing.output
    assert run("window-create", "2013-07", "--as-of", "2013-07-31").exit_code == 0
    line = run("exclude", "2013-07", "F009", "crime_asb_education", "--reason", "x")
    assert line.exit_code == 1 and "has no line for family F009" in line.output
    assert run("window-create", "bad", "--as-of", "2013-02-30").exit_code == 2
    assert run("window-create", "odd", "--as-of", "2013-07-31", "--sample-percent", "120").exit_code == 1
    assert date(2013, 7, 31)
