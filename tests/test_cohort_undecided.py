"""A cohort job never fails whole because of one family: a family the rules cannot decide (here,
attachment dates of 0001-01-01 and 9999-12-31 written straight into the database, as an old
import or form could store them) gets no result and a reason, the others are decided, and the
evaluation's page, the claim window's page and the command line name it. Its own results,
evidence and timeline pages still answer."""

import json
import re
from datetime import date

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy import text as sql

from tests.case_work import member, text
from tests.helpers import Maker, sign_in, submit
from tests.test_outcomes_cli import _example_one
from tff.cases.models import Family
from tff.claims import operations
from tff.claims.models import ClaimLine
from tff.evidence.models import AttendanceRecord
from tff.extensions import db
from tff.jobs.models import SUCCEEDED
from tff.outcomes import evaluation as evaluations
from tff.outcomes import loader
from tff.outcomes.models import OutcomeDecision, UndecidedFamily

FIRST_DAY = "the attachment date 0001-01-01 is outside the dates the rules can measure"
LAST_DAY = "the attachment date 9999-12-31 is outside the dates the rules can measure"


def _store_attached_on(app, reference: str, day: date) -> None:
    """Write the attachment date straight into the database, past every check at entry."""
    with app.app_context():
        db.session.execute(update(Family).where(Family.reference == reference).values(attached_on=day))
        db.session.commit()


@pytest.fixture
def cohort(clean):
    """F001 meets crime/ASB/education as of 2013-07-31 (£700), F002 misses it; F003 and F004 are
    the same family attached on 0001-01-01 and 9999-12-31."""
    for reference in ("F001", "F002", "F003", "F004"):
        _example_one(clean, reference, asb_recent=3 if reference == "F002" else 1)
    _store_attached_on(clean, "F003", date(1, 1, 1))
    _store_attached_on(clean, "F004", date(9999, 12, 31))
    return clean


@pytest.fixture
def outcomes(clean):
    runner = clean.test_cli_runner()
    return lambda *args: runner.invoke(args=["outcomes", *args])


@pytest.fixture
def claims(clean):
    runner = clean.test_cli_runner()
    return lambda *args: runner.invoke(args=["claims", *args])


def _signed_in(app, role: str):
    client = app.test_client()
    sign_in(client, Maker(app).user(role).email)
    return client


def test_the_engine_alone_fails_on_such_a_family(cohort):
    """What broke the whole cohort before: the rules themselves cannot measure from the date."""
    with cohort.app_context():
        family_id = db.session.scalar(select(Family.id).where(Family.reference == "F003"))
        (facts,) = loader.load([family_id])
        rules = loader.rule_sets()
        with pytest.raises(ValueError, match="out of range"):
            loader.evaluate(facts, rules.phase1, rules.calendar, loader.ClaimHistory(), date(2013, 7, 31))


def test_flask_outcomes_decides_the_rest_names_the_undecided_and_exits_1(cohort, outcomes):
    result = outcomes("--as-of", "2013-07-31", "--json")
    assert result.exit_code == 1, result.output
    decided = json.loads(result.stdout)
    assert {d["family_ref"] for d in decided} == {"F001", "F002"}
    by = {(d["family_ref"], d["outcome"]): d for d in decided}
    assert (by["F001", "crime_asb_education"]["claimable"], by["F001", "crime_asb_education"]["amount"]) == (True, 700)
    assert by["F002", "crime_asb_education"]["met"] is False
    assert "2 families could not be decided" in result.stderr
    assert f"F003: could not be decided: {FIRST_DAY}" in result.stderr
    assert f"F004: could not be decided: {LAST_DAY}" in result.stderr
    assert "F001" not in result.stderr and "F002" not in result.stderr


def test_flask_outcomes_as_text_prints_the_rest_too(cohort, outcomes):
    result = outcomes("--as-of", "2013-07-31")
    assert result.exit_code == 1
    assert re.search(r"^F001\s+crime_asb_education\s+met\s+claimable £700$", result.stdout, re.M)
    assert "F003" not in result.stdout and "F004" not in result.stdout
    assert FIRST_DAY in result.stderr and LAST_DAY in result.stderr


def test_flask_outcomes_for_one_family_that_cannot_be_decided(cohort, outcomes):
    result = outcomes("--as-of", "2013-07-31", "--family", "F004", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == []
    assert f"F004: could not be decided: {LAST_DAY}" in result.stderr
    fine = outcomes("--as-of", "2013-07-31", "--family", "F001", "--json")
    assert fine.exit_code == 0 and fine.stderr == ""


def test_every_family_decided_is_exit_0(clean, outcomes):
    _example_one(clean, "F001")
    result = outcomes("--as-of", "2013-07-31")
    assert result.exit_code == 0 and "could not be decided" not in result.output


def test_an_unexpected_error_leaves_only_that_family_undecided(cohort, outcomes, monkeypatch):
    """Caught family by family, not chunk by chunk: F002 fails, F001 in the same chunk is decided."""
    real = loader.evaluate

    def evaluate(facts, *args):
        if facts.family_ref == "F002":
            raise RuntimeError("the rule set is missing a threshold")
        return real(facts, *args)

    monkeypatch.setattr(loader, "evaluate", evaluate)
    result = outcomes("--as-of", "2013-07-31", "--json")
    assert result.exit_code == 1
    assert {d["family_ref"] for d in json.loads(result.stdout)} == {"F001"}
    assert "F002: could not be decided: an unexpected error: the rule set is missing a threshold" in result.stderr
    assert "3 families could not be decided" in result.stderr


def test_the_evaluation_job_finishes_and_its_page_lists_the_undecided(cohort):
    with cohort.app_context():
        evaluation = evaluations.create(date(2013, 7, 31))
        job = evaluations.start_evaluation(evaluation, queue=False)
        assert job.state == SUCCEEDED, job.message
        assert "2 families could not be decided" in job.message
        evaluation_id = evaluation.id
        kept = db.session.execute(
            select(UndecidedFamily.family_ref, UndecidedFamily.reason, UndecidedFamily.job_id)
            .where(UndecidedFamily.evaluation_id == evaluation_id)
            .order_by(UndecidedFamily.family_ref)
        ).all()
        assert [tuple(row) for row in kept] == [("F003", FIRST_DAY, job.id), ("F004", LAST_DAY, job.id)]
        decided = set(
            db.session.scalars(select(OutcomeDecision.family_ref).where(OutcomeDecision.evaluation_id == evaluation_id))
        )
        assert decided == {"F001", "F002"}
    client = _signed_in(cohort, "coordinator")
    page = client.get(f"/outcomes/{evaluation_id}")
    assert page.status_code == 200
    words = text(page)
    assert "2 families decided" in words
    assert "2 families could not be decided" in words
    assert "The attachment date 0001-01-01 is outside the dates the rules can measure" in words
    assert "The attachment date 9999-12-31 is outside the dates the rules can measure" in words
    html = page.get_data(as_text=True)
    assert 'href="/families/F003"' in html and 'href="/families/F004"' in html
    assert 'data-undecided-family="F001"' not in html


def test_the_undecided_are_listed_only_to_those_who_may_see_them(cohort):
    from tff.auth.models import User
    from tff.cases.access import visible_families
    from tff.outcomes import undecided

    lead = Maker(cohort).user("lead_worker")
    with cohort.app_context():
        db.session.execute(update(Family).where(Family.reference == "F004").values(lead_worker_id=lead.id))
        db.session.commit()
        evaluation = evaluations.create(date(2013, 7, 31))
        evaluations.start_evaluation(evaluation, queue=False)
        user = db.session.get(User, lead.id)
        seen = undecided.of_evaluation(evaluation.id, visible_families(user))
        assert [family.family_ref for family in seen] == ["F004"]


# --- claims ------------------------------------------------------------------------------------


def _lines(app) -> list[tuple]:
    with app.app_context():
        query = select(ClaimLine.family_ref, ClaimLine.outcome, ClaimLine.amount).order_by(ClaimLine.family_ref)
        return [tuple(row) for row in db.session.execute(query)]


def test_flask_claims_assemble_keeps_the_draft_names_the_undecided_and_exits_1(cohort, claims):
    assert claims("window-create", "2013-07", "--as-of", "2013-07-31", "--sample-percent", "0").exit_code == 0
    assembled = claims("assemble", "2013-07")
    assert assembled.exit_code == 1, assembled.output
    assert "1 lines, £700, from 2 families; 2 families could not be decided" in assembled.stdout
    assert f"F003: could not be decided: {FIRST_DAY}" in assembled.stderr
    assert f"F004: could not be decided: {LAST_DAY}" in assembled.stderr
    assert _lines(cohort) == [("F001", "crime_asb_education", 700)]
    # The others' money is not stopped: the claim is submitted without them, and says so.
    submitted = claims("submit", "2013-07")
    assert submitted.exit_code == 0, submitted.output
    assert "£700" in submitted.stdout
    assert "could not be decided: F003, F004" in submitted.stderr


def test_once_the_record_is_put_right_the_family_is_claimed(cohort, claims):
    claims("window-create", "2013-07", "--as-of", "2013-07-31", "--sample-percent", "0")
    assert claims("assemble", "2013-07").exit_code == 1
    _store_attached_on(cohort, "F003", date(2012, 9, 15))
    _store_attached_on(cohort, "F004", date(2012, 9, 15))
    again = claims("assemble", "2013-07")
    assert again.exit_code == 0, again.output
    assert again.stderr == ""
    assert [ref for ref, *_ in _lines(cohort)] == ["F001", "F003", "F004"]


@pytest.fixture
def in_process(monkeypatch):
    """No worker here: the assembly runs in the request, as the command line runs it."""
    real_start = operations.start_assembly

    def start(window, user=None, **kwargs):
        job = real_start(window, user, queue=False)
        assert job.state == SUCCEEDED, job.message
        return job

    monkeypatch.setattr(operations, "start_assembly", start)


def test_the_window_page_warns_of_the_undecided_before_submission(cohort, in_process):
    client = _signed_in(cohort, "finance")
    created = submit(client, "/claims/new", {"name": "2013-07", "as_of": ["31", "7", "2013"], "sample_percent": "0"})
    assert created.status_code == 302, created.get_data(as_text=True)
    window_url = created.headers["Location"]
    assembled = submit(client, f"{window_url}/assemble", {}, form_url=window_url)
    assert assembled.status_code == 302
    page = client.get(window_url)
    assert page.status_code == 200
    words = text(page)
    assert "2 families could not be decided" in words
    assert "The attachment date 0001-01-01 is outside the dates the rules can measure" in words
    assert "The attachment date 9999-12-31 is outside the dates the rules can measure" in words
    assert "assemble the claim again" in words
    assert "2 families that could not be decided are not in it" in words  # by the submit button
    html = page.get_data(as_text=True)
    assert 'href="/families/F003"' in html and 'href="/families/F004"' in html
    assert 'data-line="F001 crime_asb_education"' in html
    assert 'data-line="F003' not in html and 'data-line="F004' not in html
    schedule = text(client.get(f"{window_url}/schedule"))
    assert "could not be decided: F003, F004" in schedule
    check_url = f"{window_url}/submit"
    assert "2 families that could not be decided are not in the claim: F003, F004" in text(client.get(check_url))
    done = submit(client, check_url, {"confirmed": "checked"}, follow_redirects=True)
    assert done.status_code == 200
    assert "submitted, without the families that could not be decided: F003, F004" in text(done)


def test_a_window_without_undecided_families_shows_no_warning(clean, in_process):
    _example_one(clean, "F001")
    client = _signed_in(clean, "finance")
    created = submit(client, "/claims/new", {"name": "2013-07", "as_of": ["31", "7", "2013"], "sample_percent": "0"})
    window_url = created.headers["Location"]
    submit(client, f"{window_url}/assemble", {}, form_url=window_url)
    page = client.get(window_url).get_data(as_text=True)
    assert 'data-line="F001 crime_asb_education"' in page
    assert "could not be decided" not in page


# --- the family's own pages --------------------------------------------------------------------


@pytest.mark.parametrize(("reference", "reason"), [("F003", FIRST_DAY), ("F004", LAST_DAY)])
def test_the_results_page_of_an_undecidable_family_says_why(cohort, reference, reason):
    client = _signed_in(cohort, "coordinator")
    page = client.get(f"/families/{reference}/results?as_of=2013-07-31")
    assert page.status_code == 200
    assert f"This family’s results could not be decided: {reason}." in text(page)
    assert 'id="result-crime_asb_education"' not in page.get_data(as_text=True)
    fine = client.get("/families/F001/results?as_of=2013-07-31")
    assert 'id="result-crime_asb_education"' in fine.get_data(as_text=True)
    assert "could not be decided" not in text(fine)


def _family_with_odd_attendance(app) -> str:
    family = Maker(app).family("F010", status="attached", attached_on=date(2012, 9, 15))
    child = member(app, family.id, "Casey", "Child", date(2001, 5, 1), relationship="child", ref="F010-02")
    with app.app_context():
        rows = [
            {"member_id": child, "academic_year": "0000/01", "term": "autumn", "possible": 100, "unauthorised": 7},
            {"member_id": child, "academic_year": "9999/00", "term": "summer", "possible": 90, "unauthorised": 3},
            {"member_id": child, "academic_year": "2012/13", "term": "spring", "possible": 80, "unauthorised": 2},
        ]
        db.session.execute(insert(AttendanceRecord), [{**row, "school": "", "authorised": 0} for row in rows])
        db.session.commit()
    return family.reference


def test_the_evidence_page_shows_a_year_no_calendar_can_place(clean):
    reference = _family_with_odd_attendance(clean)
    client = _signed_in(clean, "coordinator")
    page = client.get(f"/families/{reference}/evidence")
    assert page.status_code == 200
    words = text(page)
    assert "Autumn 0000/01 (the term’s dates are unknown)" in words
    assert "Summer 9999/00 (the term’s dates are unknown)" in words
    assert "Spring 2012/13 (ended 31 Mar 2013)" in words
    # Newest first, the terms of unknown dates last.
    assert words.index("Spring 2012/13") < words.index("Autumn 0000/01")


def test_the_timeline_shows_a_year_no_calendar_can_place(clean):
    reference = _family_with_odd_attendance(clean)
    client = _signed_in(clean, "coordinator")
    page = client.get(f"/families/{reference}/timeline")
    assert page.status_code == 200
    words = text(page)
    assert "School attendance, autumn term 0000/01: Casey Child" in words
    assert "School attendance, summer term 9999/00: Casey Child" in words
    assert "The term's dates are unknown: this is shown on the day the record was made." in words
    assert "School attendance, spring term 2012/13: Casey Child" in words
    assert '<time datetime="2013-03-31">' in page.get_data(as_text=True)


def test_results_of_a_family_with_such_attendance_are_still_decided(clean, outcomes):
    """The engine reads only the terms around the attachment: a stray year does not stop it."""
    _family_with_odd_attendance(clean)
    result = outcomes("--as-of", "2013-07-31", "--json")
    assert result.exit_code == 0, result.output
    assert {d["family_ref"] for d in json.loads(result.stdout)} == {"F010"}


# SQLite alone: PostgreSQL cannot hold such a date at all.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_family_whose_row_cannot_even_be_read_is_left_out_alone(cohort, outcomes):
    """SQLite holds dates as text and so can hold a year 0, which no date can be read from:
    the chunk's facts are then read family by family, and only that family is left out."""
    with cohort.app_context():
        assert db.engine.dialect.name == "sqlite"
        _store_attached_on(cohort, "F004", date(2012, 9, 15))
        db.session.execute(sql("UPDATE families SET attached_on = '0000-01-01' WHERE reference = 'F003'"))
        db.session.commit()
    result = outcomes("--as-of", "2013-07-31", "--json")
    assert result.exit_code == 1, result.output
    assert {d["family_ref"] for d in json.loads(result.stdout)} == {"F001", "F002", "F004"}
    assert "1 family could not be decided" in result.stderr
    assert "F003: could not be decided: an unexpected error:" in result.stderr
