"""On PostgreSQL an evidence row's member and import run are checked once per statement (by
triggers, in place of foreign keys): a row naming nobody is refused with all its statement's
rows, and a member or import run with evidence cannot be deleted."""

from datetime import date

import pytest
from sqlalchemy import delete, func, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError

from tests.imports_support import cohort
from tff.cases.models import Member
from tff.evidence.models import AttendanceRecord, Event, Spell
from tff.extensions import db
from tff.imports.models import ImportRun

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
def people(clean):
    cohort(clean)
    with clean.app_context():
        yield clean
        db.session.rollback()


def _refused(statement) -> str:
    with pytest.raises(IntegrityError) as caught:
        db.session.execute(statement)
        db.session.flush()
    db.session.rollback()
    return str(caught.value.orig)


def _nobody() -> int:
    return db.session.scalar(select(func.max(Member.id))) + 1000


def test_the_foreign_keys_are_checked_by_statement_instead(people):
    names = {fk["name"] for fk in inspect(db.engine).get_foreign_keys("events")}
    assert "fk_events_member_id_members" not in names
    assert "fk_events_entered_by_id_users" in names  # the others stay foreign keys


def test_an_event_naming_no_member_is_refused(people):
    nobody = _nobody()
    message = _refused(insert(Event).values(member_id=nobody, kind="asb", date=date(2013, 5, 1)))
    assert f"events.member_id {nobody} names no row of members" in message
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_one_bad_row_refuses_the_whole_statement(people):
    members = db.session.scalars(select(Member.id)).all()
    nobody = _nobody()
    rows = [{"member_id": m, "kind": "asb", "date": date(2013, 5, 1)} for m in members] + [
        {"member_id": nobody, "kind": "asb", "date": date(2013, 5, 2)}
    ]
    message = _refused(insert(Event).values(rows))
    assert f"{nobody} names no row of members" in message
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_an_unknown_import_run_is_refused(people):
    member = db.session.scalar(select(Member.id).limit(1))
    statement = insert(Spell).values(member_id=member, kind="benefit", start_date=date(2013, 1, 1), run_id=424242)
    assert "spells.run_id 424242 names no row of import_runs" in _refused(statement)


def test_a_record_moved_to_nobody_is_refused(people):
    member = db.session.scalar(select(Member.id).limit(1))
    db.session.execute(
        insert(AttendanceRecord).values(
            member_id=member, academic_year="2012/13", term="autumn", school="", possible=100, unauthorised=2
        )
    )
    db.session.commit()
    nobody = _nobody()
    message = _refused(update(AttendanceRecord).values(member_id=nobody))
    assert f"attendance_records.member_id {nobody} names no row of members" in message
    assert db.session.scalar(select(AttendanceRecord.member_id)) == member


def test_a_member_with_evidence_cannot_be_deleted(people):
    with_evidence, without = db.session.scalars(select(Member.id).order_by(Member.id).limit(2)).all()
    db.session.execute(insert(Event).values(member_id=with_evidence, kind="asb", date=date(2013, 5, 1)))
    db.session.commit()
    message = _refused(delete(Member).where(Member.id.in_([with_evidence, without])))
    assert f"members {with_evidence} has evidence in events: it cannot be deleted" in message
    assert db.session.scalar(select(func.count()).select_from(Member).where(Member.id == without)) == 1
    db.session.execute(delete(Member).where(Member.id == without))
    db.session.commit()
    assert db.session.get(Member, without) is None


def test_an_import_run_with_evidence_cannot_be_deleted(people):
    run, unused = ImportRun(kind="events", filename="events.csv"), ImportRun(kind="events", filename="old.csv")
    db.session.add_all([run, unused])
    db.session.flush()
    member = db.session.scalar(select(Member.id).limit(1))
    db.session.execute(insert(Event).values(member_id=member, kind="asb", date=date(2013, 5, 1), run_id=run.id))
    db.session.commit()
    message = _refused(delete(ImportRun).where(ImportRun.id == run.id))
    assert f"import_runs {run.id} has evidence in events: it cannot be deleted" in message
    db.session.execute(delete(ImportRun).where(ImportRun.id == unused.id))
    db.session.commit()
