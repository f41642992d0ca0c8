"""attendance.csv: whole numbers of sessions, absences within the possible sessions, a real
academic year and term, and one record per (person, year, term, school): a repeat replaces the
values and the replacement is recorded."""

import pytest
from sqlalchemy import select

from tests.imports_support import attendance_csv, cohort, run_import
from tff.audit.models import AuditEntry
from tff.cases.models import Member
from tff.evidence.kinds import default_term_dates
from tff.evidence.models import AttendanceRecord
from tff.extensions import db


def term(person_ref="F001-02", academic_year="2012/13", term="autumn", possible="140", unauthorised="10", **values):
    return {
        "person_ref": person_ref,
        "academic_year": academic_year,
        "term": term,
        "possible_sessions": possible,
        "unauthorised_absence_sessions": unauthorised,
        **values,
    }


def _records(app) -> list[tuple]:
    with app.app_context():
        query = (
            select(
                Member.person_ref,
                AttendanceRecord.academic_year,
                AttendanceRecord.term,
                AttendanceRecord.school,
                AttendanceRecord.possible,
                AttendanceRecord.authorised,
                AttendanceRecord.unauthorised,
            )
            .join(Member, AttendanceRecord.member_id == Member.id)
            .order_by(AttendanceRecord.id)
        )
        return [tuple(r) for r in db.session.execute(query)]


@pytest.fixture
def people(clean):
    cohort(clean)
    return clean


def test_attendance_rows_are_checked(people):
    data = attendance_csv(
        term(authorised_absence_sessions="4", school="Hill Primary"),
        term(upn="A123456789012", person_ref="", term="Spring", possible="120", unauthorised="0"),
        term(academic_year="2012/14"),
        term(term="winter"),
        term(possible="-1", unauthorised="1.5", authorised_absence_sessions="x"),
        term(possible="10", unauthorised="8", authorised_absence_sessions="3"),
        term(possible="", unauthorised=""),
        term(person_ref="NOBODY"),
    )
    result = run_import(people, "attendance", data)
    assert (result.accepted, result.rejected, result.unmatched) == (2, 5, 1)
    assert result.rejections[4] == ['academic_year "2012/14" is not an academic year like 2012/13']
    assert result.rejections[5] == ['term "winter" is not one of autumn, spring, summer']
    assert result.rejections[6] == [
        'possible_sessions "-1" is not a whole number of 0 or more',
        'authorised_absence_sessions "x" is not a whole number of 0 or more',
        'unauthorised_absence_sessions "1.5" is not a whole number of 0 or more',
    ]
    assert result.rejections[7] == [
        "authorised and unauthorised absence (11 sessions) are more than the possible sessions (10)"
    ]
    assert result.rejections[8] == [
        "possible_sessions is empty; it is required",
        "unauthorised_absence_sessions is empty; it is required",
    ]
    assert _records(people) == [
        ("F001-02", "2012/13", "autumn", "Hill Primary", 140, 4, 10),
        ("F001-02", "2012/13", "spring", "", 120, None, 0),
    ]


def test_a_repeat_replaces_the_values_and_is_recorded(people):
    first = attendance_csv(term(school="Hill"), term(term="spring"))
    assert run_import(people, "attendance", first).tally == {"created": 2, "updated": 0, "unchanged": 0}
    assert run_import(people, "attendance", first).tally == {"created": 0, "updated": 0, "unchanged": 2}
    later = attendance_csv(
        term(school="Hill", unauthorised="12"),
        term(term="spring", school="Vale"),  # another school: another record
        term(term="summer", unauthorised="1"),
        term(term="summer", unauthorised="2"),  # the same term again in the file: it replaces
    )
    result = run_import(people, "attendance", later)
    assert result.tally == {"created": 2, "updated": 2, "unchanged": 0}
    assert _records(people) == [
        ("F001-02", "2012/13", "autumn", "Hill", 140, None, 12),
        ("F001-02", "2012/13", "spring", "", 140, None, 10),
        ("F001-02", "2012/13", "spring", "Vale", 140, None, 10),
        ("F001-02", "2012/13", "summer", "", 140, None, 2),
    ]
    with people.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "attendance.import_replace"))
        assert (entry.before, entry.after) == ({"unauthorised": 10}, {"unauthorised": 12})


def test_the_default_term_calendar():
    from datetime import date

    assert default_term_dates("2012/13", "autumn") == (date(2012, 9, 1), date(2012, 12, 31))
    assert default_term_dates("2012/13", "spring") == (date(2013, 1, 1), date(2013, 3, 31))
    assert default_term_dates("2012/13", "summer") == (date(2013, 4, 1), date(2013, 7, 31))
