"""events.csv: things that happen to a person on a day. Where `reference` is given, (source,
reference) names the record and a repeat updates it; without one, a row identical in person,
kind, date and detail is a repeat and stores nothing."""

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import select, update

from tff.evidence.importing import EvidenceFormat
from tff.evidence.models import Event
from tff.evidence.settings import event_kinds
from tff.extensions import db
from tff.imports.kinds.base import Row, Tally, among, bulk_insert

FIELDS = ("member_id", "kind", "date", "detail")


@dataclass
class Existing:
    #: (source, reference) -> the stored event
    by_reference: dict
    #: (member_id, kind, date, detail) of the stored events without a reference
    plain: set


class Events(EvidenceFormat):
    name = "events"
    title = "Events"
    fields_required = ["kind", "date"]
    fields_optional = ["reference", "source", "detail"]

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

    def unique_key(self, values):
        if values.get("reference"):
            return ("source and reference", f"{values.get('source', '')}/{values['reference']}")
        return None

    def existing(self, rows):
        refs = {row.values["reference"] for row in rows if row.values.get("reference")}
        by_reference = {}
        if refs:
            query = select(Event.id, Event.source, Event.reference, *(getattr(Event, f) for f in FIELDS)).where(
                among(Event.reference, refs)
            )
            by_reference = {(e.source, e.reference): e for e in db.session.execute(query)}
        plain = [row for row in rows if not row.values.get("reference")]
        found = set()
        if plain:
            query = select(*(getattr(Event, f) for f in FIELDS)).where(
                among(Event.member_id, {row.resolved["member_id"] for row in plain}),
                among(Event.date, {row.values["date"] for row in plain}),
                Event.reference.is_(None),
            )
            found = {tuple(e) for e in db.session.execute(query)}
        return Existing(by_reference, found)

    def store(self, rows: list[Row], existing: Existing, dry_run: bool) -> Tally:
        tally = Tally()
        inserts, updates, audit = [], [], []
        for row in rows:
            values = row.values
            after = {
                "member_id": row.resolved["member_id"],
                "kind": values["kind"],
                "date": values["date"],
                "detail": values.get("detail", ""),
            }
            reference, source = values.get("reference"), values.get("source", "")
            if reference:
                event = existing.by_reference.get((source, reference))
                if event is not None:
                    before = {f: getattr(event, f) for f in FIELDS}
                    if "detail" not in self.columns:
                        after["detail"] = before["detail"]  # a column the file lacks leaves it alone
                    if after == before:
                        tally.unchanged += 1
                        continue
                    tally.updated += 1
                    updates.append({"id": event.id, **after})
                    audit.append(
                        self.audit_row(
                            "event.import_update",
                            "event",
                            event.id,
                            f"Event {source or '(no source)'} {reference} updated by import {self.run_id} "
                            f"({self.filename})",
                            before,
                            after,
                        )
                    )
                    continue
            else:
                key = tuple(after[f] for f in FIELDS)
                if key in existing.plain:
                    tally.unchanged += 1
                    continue
                existing.plain.add(key)  # the same row again later in the batch is a repeat too
            tally.created += 1
            inserts.append(
                {**after, "reference": reference, "source": source, "run_id": self.run_id, "created_at": self.now}
            )
        if dry_run:
            return tally
        if inserts:
            audit.append(
                self.audit_row(
                    "event.import_create",
                    "import_run",
                    self.run_id,
                    f"{len(inserts):,} events created by import {self.run_id} ({self.filename})",
                    None,
                    None,
                )
            )
        bulk_insert(Event, inserts)
        if updates:
            db.session.execute(update(Event), updates)
        self.write_audit(audit)
        return tally
