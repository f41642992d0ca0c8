"""Writing case notes: checked, written with their audit entry, committed."""

from datetime import date

from sqlalchemy import select

from tff.cases.casework import audit, check_date
from tff.cases.models import Family
from tff.cases.operations import CaseError
from tff.cases.progress.models import NOTE_KINDS, CaseNote
from tff.extensions import db


def add_note(
    family: Family, by, contact_on: date | None, kind: str | None, facts: str | None, opinion: str | None
) -> CaseNote:
    problems = {}
    if contact_on is None:
        problems["contact_on"] = "Enter the date of the contact"
    check_date(problems, "contact_on", contact_on, "The date of the contact")
    if kind not in NOTE_KINDS:
        problems["kind"] = "Choose the kind of contact: a visit, a phone call, a meeting or other"
    if not (facts or "").strip():
        problems["facts"] = "Record what happened: the facts of the contact"
    if problems:
        raise CaseError(problems)
    note = CaseNote(
        family_id=family.id,
        contact_on=contact_on,
        kind=kind,
        facts=facts.strip(),
        opinion=(opinion or "").strip() or None,
        author_id=by.id,
    )
    db.session.add(note)
    db.session.flush()
    audit(
        family,
        "note.add",
        f"Added a case note ({NOTE_KINDS[kind].lower()}, {contact_on:%-d %B %Y}) to family {family.reference}",
        by,
        after={"note_id": note.id, **note.audit_state()},
    )
    db.session.commit()
    return note


def notes(family: Family) -> list[CaseNote]:
    """The family's notes, the latest contact first."""
    return db.session.scalars(
        select(CaseNote).where(CaseNote.family_id == family.id).order_by(CaseNote.contact_on.desc(), CaseNote.id.desc())
    ).all()
