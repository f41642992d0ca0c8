"""events.csv: rows matched to members by each identity key in the format's order, the rest
held as unmatched (with suggestions, never applied), no duplicates on a repeat, and a later
extract updating an event by its reference."""

import io

import pytest
from sqlalchemy import func, select

from tests.imports_support import cohort, events_csv, run_import
from tff.audit.models import AuditEntry
from tff.cases.models import Member
from tff.evidence.kinds import EVENT_KINDS
from tff.evidence.models import Event, UnmatchedRow
from tff.extensions import db


def event(kind="offence", date="2013-05-01", **values) -> dict:
    return {"kind": kind, "date": date, **values}


def _events(app) -> list[tuple]:
    with app.app_context():
        query = (
            select(Member.person_ref, Event.kind, Event.date, Event.reference, Event.source, Event.detail)
            .join(Member, Event.member_id == Member.id)
            .order_by(Event.id)
        )
        return [(p, k, d.isoformat(), r, s, t) for p, k, d, r, s, t in db.session.execute(query)]


def _unmatched(app) -> list[UnmatchedRow]:
    with app.app_context():
        rows = db.session.scalars(select(UnmatchedRow).order_by(UnmatchedRow.line)).all()
        db.session.expunge_all()
        return rows


@pytest.fixture
def people(clean):
    cohort(clean)
    return clean


def test_rows_are_matched_by_each_key_in_order(people):
    data = events_csv(
        event(person_ref="F001-01", reference="P1", source="Police"),
        event(upn="a123456789012", kind="fixed_exclusion", detail="3 days"),
        event(nino="qq 12 34 56 c", kind="asb"),
        event(first_name="ZOE", last_name="Brown", date_of_birth="2007-03-04", kind="missing_episode"),
        # a key that matches nobody, then the names that do
        event(person_ref="X-99", first_name="Zoe", last_name="Brown", date_of_birth="2007-03-04"),
        # person_ref first: the names (another person) are not looked at
        event(person_ref="F001-02", first_name="Zoe", last_name="Brown", date_of_birth="2007-03-04"),
    )
    result = run_import(people, "events", data)
    assert (result.state, result.accepted, result.rejected, result.unmatched) == ("succeeded", 6, 0, 0)
    assert _events(people) == [
        ("F001-01", "offence", "2013-05-01", "P1", "police", ""),
        ("F001-02", "fixed_exclusion", "2013-05-01", None, "", "3 days"),
        ("F001-01", "asb", "2013-05-01", None, "", ""),
        ("F001-03", "missing_episode", "2013-05-01", None, "", ""),
        ("F001-03", "offence", "2013-05-01", None, "", ""),
        ("F001-02", "offence", "2013-05-01", None, "", ""),
    ]


def test_unmatched_and_ambiguous_rows_are_held_and_counted(people):
    data = events_csv(
        event(person_ref="F001-01"),
        # no one
        event(person_ref="X-1"),
        # a typo in the name, born the same day as Zoe Brown: suggested, not applied
        event(first_name="Zoe", last_name="Browne", date_of_birth="2007-03-04"),
        # first and last name swapped
        event(first_name="Brown", last_name="Zoe", date_of_birth="2007-03-04"),
        # the name triple fits two people
        event(first_name="Amy", last_name="Smith", date_of_birth="1980-05-01"),
        # keys that point at two different people
        event(upn="A123456789012", nino="QQ123456C"),
        # a format error is still a rejection
        event(person_ref="F001-01", kind="burglary"),
    )
    result = run_import(people, "events", data)
    assert (result.accepted, result.rejected, result.unmatched) == (1, 1, 5)
    assert result.rejections == {8: ['kind "burglary" is not one of ' + ", ".join(EVENT_KINDS)]}
    held = _unmatched(people)
    assert [(u.line, u.why, u.candidates, u.state) for u in held] == [
        (3, "no_match", [], "open"),
        (4, "no_match", [], "open"),
        (5, "no_match", [], "open"),
        (6, "ambiguous", ["F001-01", "F002-01"], "open"),
        (7, "ambiguous", ["F001-01", "F001-02"], "open"),
    ]
    assert held[0].suggestions == []
    assert held[0].row["person_ref"] == "X-1" and held[0].kind == "events"
    assert [s["person_ref"] for s in held[1].suggestions] == ["F001-03"]
    assert held[1].suggestions[0]["why"] == "same date of birth, a similar name"
    assert [(s["person_ref"], s["why"]) for s in held[2].suggestions] == [
        ("F001-03", "same date of birth, first and last name swapped")
    ]
    assert {s["person_ref"] for s in held[3].suggestions} == {"F001-01", "F002-01"}
    assert len(_events(people)) == 1  # suggestions are never applied

    # The same file again: nothing stored twice, the held rows not held twice.
    again = run_import(people, "events", data)
    assert (again.accepted, again.rejected, again.unmatched) == (1, 1, 5)
    assert again.tally == {"created": 0, "updated": 0, "unchanged": 1}
    assert len(_events(people)) == 1
    assert len(_unmatched(people)) == 5


def test_a_row_must_name_someone_and_the_file_must_have_identity_columns(people):
    result = run_import(people, "events", events_csv(event(first_name="Zoe"), event(upn="A1", person_ref="F001-01")))
    assert result.rejections == {
        2: ["the row names nobody: it has first_name but not last_name, date_of_birth, and no person_ref, upn or nino"],
        3: ['upn "A1" is not a Unique Pupil Number (a letter then 12 digits)'],
    }
    refused = run_import(people, "events", events_csv(event(), header=["first_name", "kind", "date"]))
    assert refused.state == "failed"
    assert "no identity columns" in refused.refusal


def test_repeats_store_nothing_and_a_later_extract_updates_by_reference(people):
    first = events_csv(
        event(person_ref="F001-01", reference="R1", source="police", detail="theft"),
        event(person_ref="F001-02", kind="asb", detail="graffiti"),
        event(person_ref="F001-02", kind="asb", detail="graffiti"),  # identical: a repeat
    )
    result = run_import(people, "events", first)
    assert (result.accepted, result.unmatched) == (3, 0)
    assert result.tally == {"created": 2, "updated": 0, "unchanged": 1}
    again = run_import(people, "events", first)
    assert again.tally == {"created": 0, "updated": 0, "unchanged": 3}
    assert len(_events(people)) == 2

    later = events_csv(
        event(person_ref="F001-01", reference="R1", source="POLICE", detail="theft, proven", date="2013-05-02"),
        event(person_ref="F001-01", reference="R1", source="school"),  # another source's R1
        event(person_ref="F001-01", reference="R2", source="police"),
        event(person_ref="F001-01", reference="R2", source="police"),  # given twice in the file
    )
    result = run_import(people, "events", later)
    assert (result.accepted, result.rejected) == (3, 1)
    assert result.rejections == {5: ['source and reference "police/R2" is given earlier in the file, on line 4']}
    assert result.tally == {"created": 2, "updated": 1, "unchanged": 0}
    assert _events(people)[0] == ("F001-01", "offence", "2013-05-02", "R1", "police", "theft, proven")
    assert len(_events(people)) == 4
    with people.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "event.import_update"))
        assert entry.before == {"date": "2013-05-01", "detail": "theft"}
        assert entry.after == {"date": "2013-05-02", "detail": "theft, proven"}
        created = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "event.import_create")).all()
        assert len(created) == 2


def test_a_dry_run_counts_but_stores_nothing(people):
    result = run_import(people, "events", events_csv(event(person_ref="F001-01"), event(person_ref="X")), dry_run=True)
    assert (result.accepted, result.unmatched) == (1, 1)
    with people.app_context():
        assert db.session.scalar(select(func.count()).select_from(Event)) == 0
        assert db.session.scalar(select(func.count()).select_from(UnmatchedRow)) == 0


def test_the_command_line_counts_unmatched_rows(people, tmp_path):
    path = tmp_path / "events.csv"
    path.write_bytes(events_csv(event(person_ref="F001-01"), event(person_ref="X-1"), event(kind="?", nino="x")))
    result = people.test_cli_runner().invoke(args=["import", "events", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "accepted 1, rejected 1, unmatched 1\n"
    assert result.stderr.startswith("line 4: ")


def test_an_events_file_uploaded_on_the_import_page(clean, client, make):
    from tests.helpers import sign_in, submit

    cohort(clean)
    conf = clean.extensions["celery"].conf
    conf.task_always_eager = True
    try:
        sign_in(client, make.user("coordinator").email)
        data = events_csv(event(person_ref="F001-01"), event(person_ref="X-1"), event(kind="?", person_ref="F001-01"))
        form = {"kind": "events", "file": (io.BytesIO(data), "events.csv")}
        response = submit(client, "/imports/new", form, content_type="multipart/form-data")
        assert response.status_code == 302
        page = client.get(response.headers["Location"]).get_data(as_text=True)
    finally:
        conf.task_always_eager = False
    assert 'data-count="accepted">1<' in page
    assert 'data-count="rejected">1<' in page
    assert 'data-count="unmatched">1<' in page
    assert len(_events(clean)) == 1 and len(_unmatched(clean)) == 1
