"""Evidence entered by hand on the family's page: events and spells that arrive outside the
feeds (source "manual", with who entered them), and corrections of any event or spell. Each
change is checked as an import checks a row and is audited on the family, with before and after."""

from datetime import date

from flask import abort
from sqlalchemy import select

from tff.cases.casework import audit
from tff.cases.models import Member
from tff.dates import date_problem
from tff.evidence.models import AttendanceRecord, Event, Spell
from tff.evidence.settings import EVENT, SPELL, event_kinds, kind_labels, spell_kinds
from tff.extensions import db
from tff.problems import Refused

MANUAL = "manual"
EVENT_FIELDS = ("member_id", "kind", "date", "detail")
SPELL_FIELDS = ("member_id", "kind", "start_date", "end_date", "detail")


class EvidenceRefused(Refused):
    """Evidence that cannot be recorded or corrected."""


def members(family) -> list[Member]:
    return list(
        db.session.scalars(
            select(Member).where(Member.family_id == family.id).order_by(Member.date_of_birth, Member.id)
        )
    )


def evidence_in_family_or_404(model, family, record_id: int):
    """The event, spell or attendance record with this id if it is of a member of this family;
    404 otherwise, as for a family the user may not see."""
    found = db.session.scalar(
        select(model)
        .join(Member, model.member_id == Member.id)
        .where(model.id == record_id, Member.family_id == family.id)
    )
    if found is None:
        abort(404)
    return found


def family_evidence(family) -> list[dict]:
    """Per member of the family: their events, spells and attendance, newest first."""
    people = members(family)
    ids = [m.id for m in people]
    found = {m.id: {"member": m, "events": [], "spells": [], "attendance": []} for m in people}
    if ids:
        for event in db.session.scalars(
            select(Event).where(Event.member_id.in_(ids)).order_by(Event.date.desc(), Event.id.desc())
        ):
            found[event.member_id]["events"].append(event)
        for spell in db.session.scalars(
            select(Spell).where(Spell.member_id.in_(ids)).order_by(Spell.start_date.desc(), Spell.id.desc())
        ):
            found[spell.member_id]["spells"].append(spell)
        for record in db.session.scalars(
            select(AttendanceRecord)
            .where(AttendanceRecord.member_id.in_(ids))
            .order_by(AttendanceRecord.academic_year.desc(), AttendanceRecord.id.desc())
        ):
            found[record.member_id]["attendance"].append(record)
    return list(found.values())


def _member(family, member_id) -> Member | None:
    if member_id is None:
        return None
    return db.session.scalar(select(Member).where(Member.id == member_id, Member.family_id == family.id))


def _check_past(problems: dict, field: str, day: date | None, label: str) -> None:
    if day is None:
        problems[field] = f"Enter the {label.lower()}"
    elif problem := date_problem(day, label):
        problems[field] = problem
    elif day > date.today():
        problems[field] = f"{label} must be today or in the past"


def _event_values(family, values: dict) -> dict:
    problems = {}
    if _member(family, values.get("member_id")) is None:
        problems["member_id"] = "Choose the member of the family the event is about"
    kind = (values.get("kind") or "").strip().lower()
    if kind not in event_kinds():
        problems["kind"] = "Choose the kind of event"
    _check_past(problems, "date", values.get("date"), "Date of the event")
    detail = (values.get("detail") or "").strip()
    if len(detail) > 2000:
        problems["detail"] = "Detail must be 2000 characters or fewer"
    if problems:
        raise EvidenceRefused(problems)
    return {"member_id": values["member_id"], "kind": kind, "date": values["date"], "detail": detail}


def _spell_values(family, values: dict) -> dict:
    problems = {}
    if _member(family, values.get("member_id")) is None:
        problems["member_id"] = "Choose the member of the family the spell is about"
    kind = (values.get("kind") or "").strip().lower()
    if kind not in spell_kinds():
        problems["kind"] = "Choose the kind of spell"
    start, end = values.get("start_date"), values.get("end_date")
    _check_past(problems, "start_date", start, "Start date")
    if problem := date_problem(end, "End date"):
        problems["end_date"] = problem
    elif start and end and end < start:
        problems["end_date"] = "End date must be the same as or after the start date"
    detail = (values.get("detail") or "").strip()
    if kind == "benefit":
        detail = detail.upper()
        if not detail:
            problems["detail"] = "Enter the benefit code in Detail, e.g. JSA: a benefit spell needs one"
    if len(detail) > 200:
        problems["detail"] = "Detail must be 200 characters or fewer"
    if problems:
        raise EvidenceRefused(problems)
    return {"member_id": values["member_id"], "kind": kind, "start_date": start, "end_date": end, "detail": detail}


def _spell_clash(values: dict, spell_id: int | None = None) -> None:
    """Spells without a reference are one per member, kind, detail and start date."""
    query = select(Spell.id).where(
        Spell.member_id == values["member_id"],
        Spell.kind == values["kind"],
        Spell.detail == values["detail"],
        Spell.start_date == values["start_date"],
        Spell.reference.is_(None),
    )
    if spell_id is not None:
        query = query.where(Spell.id != spell_id)
    if db.session.scalar(query) is not None:
        raise EvidenceRefused(
            {"start_date": "The member already has this spell starting on this date: correct that one"}
        )


def _name(kind_family: str, kind: str) -> str:
    return kind_labels(kind_family).get(kind, kind)


def _member_name(member_id: int) -> str:
    member = db.session.get(Member, member_id)
    return member.full_name if member else str(member_id)


def record_event(family, by, values: dict) -> Event:
    after = _event_values(family, values)
    event = Event(**after, source=MANUAL, reference=None, entered_by_id=by.id)
    db.session.add(event)
    db.session.flush()
    audit(
        family,
        "event.manual_create",
        f"{_name(EVENT, after['kind'])} of {_member_name(after['member_id'])} on {after['date']:%-d %B %Y} recorded "
        f"(event {event.id})",
        by,
        after={"event_id": event.id, **after},
    )
    db.session.commit()
    return event


def correct_event(family, event: Event, by, values: dict) -> bool:
    after = _event_values(family, {**values, "member_id": event.member_id})
    before = {f: getattr(event, f) for f in EVENT_FIELDS}
    if after == before:
        return False
    for field, value in after.items():
        setattr(event, field, value)
    audit(
        family,
        "event.manual_correct",
        f"{_name(EVENT, after['kind'])} of {_member_name(event.member_id)} corrected (event {event.id})",
        by,
        before={"event_id": event.id, **before},
        after={"event_id": event.id, **after},
    )
    db.session.commit()
    return True


def record_spell(family, by, values: dict) -> Spell:
    after = _spell_values(family, values)
    _spell_clash(after)
    spell = Spell(**after, source=MANUAL, reference=None, entered_by_id=by.id)
    db.session.add(spell)
    db.session.flush()
    audit(
        family,
        "spell.manual_create",
        f"{_name(SPELL, after['kind'])} {after['detail']} of {_member_name(after['member_id'])} from "
        f"{after['start_date']:%-d %B %Y} recorded (spell {spell.id})",
        by,
        after={"spell_id": spell.id, **after},
    )
    db.session.commit()
    return spell


def correct_spell(family, spell: Spell, by, values: dict) -> bool:
    after = _spell_values(family, {**values, "member_id": spell.member_id})
    before = {f: getattr(spell, f) for f in SPELL_FIELDS}
    if after == before:
        return False
    if spell.reference is None:
        _spell_clash(after, spell.id)
    for field, value in after.items():
        setattr(spell, field, value)
    audit(
        family,
        "spell.manual_correct",
        f"{_name(SPELL, after['kind'])} of {_member_name(spell.member_id)} corrected (spell {spell.id})",
        by,
        before={"spell_id": spell.id, **before},
        after={"spell_id": spell.id, **after},
    )
    db.session.commit()
    return True
