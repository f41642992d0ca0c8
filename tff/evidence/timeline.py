"""Evidence's sources for the family's timeline: its members' events, spells (their start and,
once known, their end) and school terms."""

from sqlalchemy import select

from tff.cases.models import Member
from tff.cases.progress.timeline import Entry, source
from tff.evidence.models import AttendanceRecord, Event, Spell
from tff.evidence.settings import EVENT, SPELL, kind_labels, term_calendar, term_end
from tff.extensions import db


def _members(model, family):
    return select(model, Member).join(Member, model.member_id == Member.id).where(Member.family_id == family.id)


def _event_detail(event) -> str | None:
    origin = ", ".join(filter(None, [event.source, event.reference]))
    return " ".join(filter(None, [event.detail, f"({origin})" if origin else ""])) or None


@source("event", "Events (evidence)")
def _events(family):
    labels = kind_labels(EVENT)
    for event, member in db.session.execute(_members(Event, family)):
        yield Entry(
            on=event.date,
            kind="event",
            title=f"{labels.get(event.kind, event.kind)}: {member.full_name}",
            detail=_event_detail(event),
            at=event.created_at,
        )


@source("spell", "Spells (evidence)")
def _spells(family):
    labels = kind_labels(SPELL)
    for spell, member in db.session.execute(_members(Spell, family)):
        what = " ".join(filter(None, [labels.get(spell.kind, spell.kind), spell.detail]))
        yield Entry(on=spell.start_date, kind="spell", title=f"{what} started: {member.full_name}", at=spell.created_at)
        if spell.end_date:
            yield Entry(on=spell.end_date, kind="spell", title=f"{what} ended: {member.full_name}", at=spell.created_at)


@source("attendance", "School attendance")
def _attendance(family):
    records = db.session.execute(_members(AttendanceRecord, family)).all()
    calendar = term_calendar({record.academic_year for record, _ in records})  # school terms end on their own dates
    for record, member in records:
        missed = record.unauthorised + (record.authorised or 0)
        rate = (
            f"{100 * (record.possible - missed) / record.possible:.1f}% attendance"
            if record.possible
            else "no sessions"
        )
        ended = term_end(calendar, record.academic_year, record.term)
        detail = f"{rate}: {missed:,} of {record.possible:,} sessions missed, {record.unauthorised:,} unauthorised"
        detail += f" ({record.school})" if record.school else ""
        if ended is None:  # a year no calendar can place: shown on the day it was recorded
            detail += "\nThe term's dates are unknown: this is shown on the day the record was made."
        yield Entry(
            on=ended or record.created_at.date(),
            kind="attendance",
            title=f"School attendance, {record.term} term {record.academic_year}: {member.full_name}",
            detail=detail,
            at=record.created_at,
        )
