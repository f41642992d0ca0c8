"""attendance.csv: a pupil's sessions in one school term, as in the termly census. One row per
(person, academic_year, term, school): a repeat replaces the earlier values, and the
replacement is recorded in the audit trail."""

import re

from sqlalchemy import and_, exists, func, or_, select

from tff.dates import academic_year_problem
from tff.evidence.importing import EvidenceFormat
from tff.evidence.kinds import TERMS
from tff.evidence.models import AttendanceRecord
from tff.evidence.staging import StagedAttendance
from tff.extensions import db
from tff.imports.kinds.base import Cells, Tally, shown

INTEGER = re.compile(r"\d{1,9}")
KEY = ("member_id", "academic_year", "term", "school")
SESSIONS = ("possible", "authorised", "unauthorised")
#: the file's column for each stored number
COLUMNS = {
    "possible": "possible_sessions",
    "authorised": "authorised_absence_sessions",
    "unauthorised": "unauthorised_absence_sessions",
}


def sessions(c: Cells, name: str, *, required: bool = False) -> int | None:
    """A whole number of sessions, 0 or more."""
    value = c.cells.get(name, "")
    if value.isascii() and value.isdigit() and len(value) <= 9:  # (nearly every cell: kept fast)
        return int(value)
    if not value:
        if required:
            c.problem(name, f"{name} is empty; it is required")
        return None
    if not INTEGER.fullmatch(value):
        c.problem(name, f"{name} {shown(value)} is not a whole number of 0 or more")
        return None
    return int(value)


class Attendance(EvidenceFormat):
    name = "attendance"
    title = "School attendance"
    fields_required = ["academic_year", "term", "possible_sessions", "unauthorised_absence_sessions"]
    fields_optional = ["authorised_absence_sessions", "school"]
    staged = StagedAttendance
    staged_fields = ("academic_year", "term", "school", "possible", "authorised", "unauthorised")

    @classmethod
    def allowed(cls) -> dict[str, list[str]]:
        return {"term": list(TERMS)}

    def parse_fields(self, c):
        year = c.text("academic_year", required=True)
        if year and (problem := academic_year_problem(year, "academic_year")):
            c.problem("academic_year", problem)
            year = None
        values = {
            "academic_year": year,
            "term": c.choice("term", TERMS, required=True),
            "possible": sessions(c, "possible_sessions", required=True),
            "authorised": sessions(c, "authorised_absence_sessions"),
            "unauthorised": sessions(c, "unauthorised_absence_sessions", required=True),
            "school": c.text("school", max_length=200) or "",
        }
        possible, absent = values["possible"], values["unauthorised"]
        if possible is not None and absent is not None:
            absent += values["authorised"] or 0
            if absent > possible:
                c.problem(
                    "unauthorised_absence_sessions",
                    f"authorised and unauthorised absence ({absent:,} sessions) are more than the possible "
                    f"sessions ({possible:,})",
                )
        return values

    def merge_matched(self, matched):
        s, a = StagedAttendance, AttendanceRecord
        tally = Tally()
        # One record per (person, academic_year, term, school): the file's last line for it
        # says what is stored. Counted as if the file's lines came one by one: its first line
        # against the stored record, each later line against the one before.
        key = ("member_id", "academic_year", "term", "school")
        repeats, first, last = self.first_and_last(matched, key)
        same = (a.member_id == s.member_id, a.academic_year == s.academic_year, a.term == s.term, a.school == s.school)
        compared = ("possible", "unauthorised")
        if COLUMNS["authorised"] in self.columns:  # a column the file lacks leaves it alone
            compared += ("authorised",)
        differs = or_(*(getattr(a, f).is_distinct_from(getattr(s, f)) for f in compared))
        query = (
            select(a.id, a.academic_year, a.term, a.school, *(getattr(a, f) for f in SESSIONS))
            .add_columns(*(getattr(s, f) for f in SESSIONS))
            .join(s, and_(*same))
            .where(matched, last, differs)
        )
        changes = []
        for id_, year, term, school, *both in db.session.execute(query):
            before, after = dict(zip(SESSIONS, both[:3], strict=True)), dict(zip(SESSIONS, both[3:], strict=True))
            if "authorised" not in compared:
                after["authorised"] = before["authorised"]
            at = f" at {school}" if school else ""
            summary = f"Attendance {year} {term}{at} replaced by import {self.run_id} ({self.filename})"
            changes.append((id_, before, after, summary))
        tally.updated = len(changes)
        if repeats:
            tally.updated = db.session.scalar(
                select(func.count()).select_from(s).join(a, and_(*same)).where(matched, first, differs)
            ) + self.replaced_in_file(matched, key, compared)
        self.update_changed(a, changes, "attendance.import_replace")

        new = self.new_rows(
            a, tuple(getattr(s, f) for f in KEY + SESSIONS), matched, and_(last, ~exists().where(*same))
        )
        tally.created = self.insert_new(a, new, "attendance records")
        return tally
