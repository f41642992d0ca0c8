"""attendance.csv: a pupil's sessions in one school term, as in the termly census. One row per
(person, academic_year, term, school): a repeat replaces the earlier values, and the
replacement is recorded in the audit trail."""

import re

from sqlalchemy import select, update

from tff.evidence.importing import EvidenceFormat
from tff.evidence.kinds import TERMS
from tff.evidence.models import AttendanceRecord
from tff.extensions import db
from tff.imports.kinds.base import Cells, Row, Tally, among, bulk_insert, shown

ACADEMIC_YEAR = re.compile(r"(\d{4})/(\d{2})")
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
    value = c.raw(name)
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

    def parse_fields(self, c):
        year = c.text("academic_year", required=True)
        if year:
            found = ACADEMIC_YEAR.fullmatch(year)
            if not found or (int(found[1]) + 1) % 100 != int(found[2]):
                c.problem("academic_year", f"academic_year {shown(year)} is not an academic year like 2012/13")
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

    def existing(self, rows):
        if not rows:
            return {}
        columns = (AttendanceRecord.id, *(getattr(AttendanceRecord, f) for f in KEY + SESSIONS))
        query = select(*columns).where(
            among(AttendanceRecord.member_id, {row.resolved["member_id"] for row in rows}),
            among(AttendanceRecord.academic_year, {row.values["academic_year"] for row in rows}),
        )
        return {tuple(getattr(r, f) for f in KEY): r._asdict() for r in db.session.execute(query)}

    def store(self, rows: list[Row], existing: dict, dry_run: bool) -> Tally:
        tally = Tally()
        inserts, updates, audit = [], {}, []
        for row in rows:
            values = row.values
            key = (row.resolved["member_id"], values["academic_year"], values["term"], values.get("school", ""))
            after = {f: values.get(f) for f in SESSIONS}
            held = existing.get(key)
            if held is None:
                tally.created += 1
                record = {**dict(zip(KEY, key, strict=True)), **after, "run_id": self.run_id, "created_at": self.now}
                inserts.append(record)
                existing[key] = record  # the same term again later in the batch replaces this
                continue
            before = {f: held[f] for f in SESSIONS}
            if COLUMNS["authorised"] not in self.columns:
                after["authorised"] = before["authorised"]  # a column the file lacks leaves it alone
            if after == before:
                tally.unchanged += 1
                continue
            tally.updated += 1
            held.update(after)
            if "id" not in held:
                continue
            updates[held["id"]] = {"id": held["id"], **after}
            audit.append(
                self.audit_row(
                    "attendance.import_replace",
                    "attendance_record",
                    held["id"],
                    f"Attendance {key[1]} {key[2]}{' at ' + key[3] if key[3] else ''} replaced by import "
                    f"{self.run_id} ({self.filename})",
                    before,
                    after,
                )
            )
        if dry_run:
            return tally
        if inserts:
            audit.append(
                self.audit_row(
                    "attendance.import_create",
                    "import_run",
                    self.run_id,
                    f"{len(inserts):,} attendance records created by import {self.run_id} ({self.filename})",
                    None,
                    None,
                )
            )
        bulk_insert(AttendanceRecord, inserts)
        if updates:
            db.session.execute(update(AttendanceRecord), list(updates.values()))
        self.write_audit(audit)
        return tally
