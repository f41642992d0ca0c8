"""events.csv: things that happen to a person on a day. Where `reference` is given, (source,
reference) names the record and a repeat updates it; without one, a row identical in person,
kind, date and detail is a repeat and stores nothing."""

from functools import cached_property

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased

from tff.evidence.importing import EvidenceFormat
from tff.evidence.models import Event
from tff.evidence.settings import event_kinds
from tff.evidence.staging import StagedEvent
from tff.extensions import db
from tff.imports.kinds.base import Tally

FIELDS = ("member_id", "kind", "date", "detail")


class Events(EvidenceFormat):
    name = "events"
    title = "Events"
    fields_required = ["kind", "date"]
    fields_optional = ["reference", "source", "detail"]
    staged = StagedEvent
    staged_fields = ("kind", "date", "reference", "source", "detail")

    @classmethod
    def allowed(cls) -> dict[str, list[str]]:
        return {"kind": list(event_kinds())}

    @cached_property
    def kinds(self) -> tuple[str, ...]:
        """The kinds known when the import started (the format's and those an administrator added)."""
        return event_kinds()

    def parse_fields(self, c):
        values = {
            "kind": c.choice("kind", self.kinds, required=True),
            "date": c.date("date", required=True),
            "reference": c.text("reference", max_length=100),
            "source": (c.text("source", max_length=40) or "").lower(),
            "detail": c.text("detail", max_length=2000) or "",
        }
        return values

    def merge_matched(self, matched):
        s, e = StagedEvent, Event
        tally = Tally()
        # Stored events named by (source, reference) whose member, kind, date or detail changed.
        differs = [e.member_id != s.member_id, e.kind != s.kind, e.date != s.date]
        if "detail" in self.columns:  # a column the file lacks leaves it alone
            differs.append(e.detail != s.detail)
        query = (
            select(e.id, e.source, e.reference, *(getattr(e, f) for f in FIELDS), *(getattr(s, f) for f in FIELDS))
            .join(s, and_(e.source == s.source, e.reference == s.reference))
            .where(matched, s.reference.is_not(None), or_(*differs))
        )
        changes = []
        for id_, source, reference, *both in db.session.execute(query):
            before, after = dict(zip(FIELDS, both[:4], strict=True)), dict(zip(FIELDS, both[4:], strict=True))
            if "detail" not in self.columns:
                after["detail"] = before["detail"]
            what = f"Event {source or '(no source)'} {reference} updated by import {self.run_id} ({self.filename})"
            changes.append((id_, before, after, what))
        tally.updated = self.update_changed(e, changes, "event.import_update")

        new = (s.member_id, s.kind, s.date, s.detail, s.reference, s.source)
        # New: a row whose (source, reference) is not stored; without a reference, a row not
        # identical in person, kind, date and detail to a stored event or an earlier line.
        earlier = aliased(StagedEvent)
        same = (e.member_id == s.member_id, e.date == s.date, e.kind == s.kind, e.detail == s.detail)
        new_with_reference = and_(
            s.reference.is_not(None), ~exists().where(e.source == s.source, e.reference == s.reference)
        )
        new_without = and_(
            s.reference.is_(None),
            ~exists().where(*same, e.reference.is_(None)),
            ~exists().where(
                earlier.run_id == s.run_id,
                earlier.member_id == s.member_id,
                earlier.date == s.date,
                earlier.kind == s.kind,
                earlier.detail == s.detail,
                earlier.reference.is_(None),
                earlier.line < s.line,
            ),
        )
        query = self.new_rows(e, new, matched, new_with_reference, new_without)
        tally.created = self.insert_new(e, query, "events")
        return tally
