"""Helpers for the import tests: CSV files made from rows, imports run as the command runs them."""

import csv
import io
from types import SimpleNamespace

from sqlalchemy import func, select

from tff.audit.models import AuditEntry
from tff.extensions import db
from tff.imports.models import ImportRejection, ImportRun
from tff.imports.operations import create_run, start_import

FAMILY_HEADER = [
    "family_ref",
    "programme",
    "identified_on",
    "attached_on",
    "postcode",
    "lead_worker_email",
    "local_criteria",
    "problems",
    "outcome_plan",
]
MEMBER_HEADER = [
    "family_ref",
    "person_ref",
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "upn",
    "nino",
    "relationship",
]


def csv_bytes(header: list[str], rows: list, bom: bool = False, newline: str = "\r\n") -> bytes:
    """A CSV file: rows are dicts (missing columns empty) or lists of cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(c, "") for c in header] if isinstance(row, dict) else row)
    data = buffer.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


def family(ref: str = "F001", **values) -> dict:
    return {"family_ref": ref, "programme": "phase1", "identified_on": "2013-01-10", **values}


def member(person: str = "F001-01", family_ref: str = "F001", **values) -> dict:
    return {
        "family_ref": family_ref,
        "person_ref": person,
        "first_name": "Amy",
        "last_name": "Smith",
        "date_of_birth": "1980-05-01",
        **values,
    }


def families_csv(*rows, header=FAMILY_HEADER, **kw) -> bytes:
    return csv_bytes(header, list(rows), **kw)


def members_csv(*rows, header=MEMBER_HEADER, **kw) -> bytes:
    return csv_bytes(header, list(rows), **kw)


def run_import(app, kind: str, data: bytes, filename: str | None = None, dry_run: bool = False, user_id=None):
    """Import `data` here and now, as `flask import` does; the run and its job as plain values."""
    from tff.auth.models import User

    with app.app_context():
        user = db.session.get(User, user_id) if user_id else None
        run = create_run(kind, filename or f"{kind}.csv", io.BytesIO(data), user=user, dry_run=dry_run)
        job = start_import(run, user=user, queue=False)
        run = db.session.get(ImportRun, run.id)
        rejections = {
            r.line: r.reasons
            for r in db.session.scalars(select(ImportRejection).where(ImportRejection.run_id == run.id))
        }
        return SimpleNamespace(
            id=run.id,
            state=job.state,
            message=job.message,
            result=job.result,
            refusal=run.refusal,
            accepted=run.accepted,
            rejected=run.rejected,
            unmatched=run.unmatched,
            # the counts; what the rows changed, field by field, is in `changes`
            tally=_counts(run.tally),
            changed=run.changed,
            changes=run.changes,
            # families attached without meeting the criteria on what is confirmed: (ref, why)
            unconfirmed=run.unconfirmed_families,
            rows=run.rows,
            rejections=rejections,
        )


def _counts(tally: dict | None) -> dict | None:
    kept_apart = ("changed", "changes", "unconfirmed", "unconfirmed_families")
    return None if tally is None else {k: v for k, v in tally.items() if k not in kept_apart}


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry))


IDENTITY_HEADER = ["person_ref", "upn", "nino", "first_name", "last_name", "date_of_birth"]
EVENT_HEADER = [*IDENTITY_HEADER, "kind", "date", "reference", "source", "detail"]
SPELL_HEADER = [*IDENTITY_HEADER, "kind", "start_date", "end_date", "detail", "reference", "source"]
ATTENDANCE_HEADER = [
    *IDENTITY_HEADER,
    "academic_year",
    "term",
    "possible_sessions",
    "authorised_absence_sessions",
    "unauthorised_absence_sessions",
    "school",
]


def events_csv(*rows, header=EVENT_HEADER, **kw) -> bytes:
    return csv_bytes(header, list(rows), **kw)


def spells_csv(*rows, header=SPELL_HEADER, **kw) -> bytes:
    return csv_bytes(header, list(rows), **kw)


def attendance_csv(*rows, header=ATTENDANCE_HEADER, **kw) -> bytes:
    return csv_bytes(header, list(rows), **kw)


def cohort(app) -> None:
    """Two families and their people, for the evidence imports to match rows to:
    F001-01 Amy Smith (NINO QQ123456C), F001-02 Liam Smith (UPN A123456789012), F001-03 Zoe
    Brown, and F002-01 Amy Smith born the same day as F001-01 (her name triple fits both)."""
    assert run_import(app, "families", families_csv(family("F001"), family("F002"))).accepted == 2
    people = members_csv(
        member("F001-01", nino="QQ123456C", relationship="mother"),
        member("F001-02", first_name="Liam", date_of_birth="2005-09-01", upn="A123456789012"),
        member("F001-03", first_name="Zoe", last_name="Brown", date_of_birth="2007-03-04"),
        member("F002-01", family_ref="F002"),
    )
    assert run_import(app, "members", people).accepted == 4
