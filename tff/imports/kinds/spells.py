"""spells.csv: states that last from one date to another (a benefit, a plan, employment).
Where `reference` is given, (source, reference) names the spell and a repeat updates it (an
end date arriving later is the common case); without one, the same person, kind, detail and
start date is the same spell, and its end date is updated."""

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import select, update

from tff.evidence.importing import EvidenceFormat
from tff.evidence.models import Spell
from tff.evidence.settings import spell_kinds
from tff.extensions import db
from tff.imports.kinds.base import Row, Tally, among, bulk_insert

FIELDS = ("member_id", "kind", "detail", "start_date", "end_date")


@dataclass
class Existing:
    #: (source, reference) -> {"id", FIELDS...} of the stored spell
    by_reference: dict
    #: (member_id, kind, detail, start_date) -> {"id", FIELDS...} of stored spells without a reference
    plain: dict


class Spells(EvidenceFormat):
    name = "spells"
    title = "Spells"
    fields_required = ["kind", "start_date"]
    fields_optional = ["end_date", "detail", "reference", "source"]

    @cached_property
    def kinds(self) -> tuple[str, ...]:
        """The kinds known when the import started (the format's and those an administrator added)."""
        return spell_kinds()

    def parse_fields(self, c):
        values = {
            "kind": c.choice("kind", self.kinds, required=True),
            "start_date": c.date("start_date", required=True),
            "end_date": c.date("end_date"),
            "detail": c.text("detail", max_length=200) or "",
            "reference": c.text("reference", max_length=100),
            "source": (c.text("source", max_length=40) or "").lower(),
        }
        if values["kind"] == "benefit":
            if not values["detail"] and "detail" not in c.invalid:
                c.problem("detail", "detail is empty; for a benefit spell it is required: the benefit code, e.g. JSA")
            values["detail"] = values["detail"].upper()
        start, end = values["start_date"], values["end_date"]
        if start and end and end < start:
            c.problem("end_date", f"end_date {end} is before start_date {start}")
        return values

    def unique_key(self, values):
        if values.get("reference"):
            return ("source and reference", f"{values.get('source', '')}/{values['reference']}")
        return None

    def existing(self, rows):
        columns = (Spell.id, Spell.source, Spell.reference, *(getattr(Spell, f) for f in FIELDS))
        refs = {row.values["reference"] for row in rows if row.values.get("reference")}
        by_reference = {}
        if refs:
            query = select(*columns).where(among(Spell.reference, refs))
            by_reference = {(s.source, s.reference): s._asdict() for s in db.session.execute(query)}
        plain = [row for row in rows if not row.values.get("reference")]
        found = {}
        if plain:
            query = select(*columns).where(
                among(Spell.member_id, {row.resolved["member_id"] for row in plain}),
                among(Spell.start_date, {row.values["start_date"] for row in plain}),
                Spell.reference.is_(None),
            )
            found = {(s.member_id, s.kind, s.detail, s.start_date): s._asdict() for s in db.session.execute(query)}
        return Existing(by_reference, found)

    def store(self, rows: list[Row], existing: Existing, dry_run: bool) -> Tally:
        tally = Tally()
        inserts, updates, audit = [], {}, []
        for row in rows:
            values = row.values
            after = {
                "member_id": row.resolved["member_id"],
                "kind": values["kind"],
                "detail": values.get("detail", ""),
                "start_date": values["start_date"],
                "end_date": values.get("end_date"),
            }
            reference, source = values.get("reference"), values.get("source", "")
            if reference:
                held = existing.by_reference.get((source, reference))
            else:
                held = existing.plain.get((after["member_id"], after["kind"], after["detail"], after["start_date"]))
            if held is None:
                tally.created += 1
                record = {**after, "reference": reference, "source": source, "run_id": self.run_id}
                record["created_at"] = self.now
                inserts.append(record)
                if not reference:  # the same spell later in the batch updates this one
                    existing.plain[after["member_id"], after["kind"], after["detail"], after["start_date"]] = record
                continue
            before = {f: held[f] for f in FIELDS}
            if "end_date" not in self.columns:
                after["end_date"] = before["end_date"]  # a column the file lacks leaves it alone
            if after == before:
                tally.unchanged += 1
                continue
            tally.updated += 1
            held.update(after)
            if "id" not in held:  # a spell this batch inserts: the insert carries the change
                continue
            updates[held["id"]] = {"id": held["id"], **after}
            what = (
                f"{source or '(no source)'} {reference}" if reference else f"{after['kind']} {after['detail']}".strip()
            )
            audit.append(
                self.audit_row(
                    "spell.import_update",
                    "spell",
                    held["id"],
                    f"Spell {what} updated by import {self.run_id} ({self.filename})",
                    before,
                    after,
                )
            )
        if dry_run:
            return tally
        if inserts:
            audit.append(
                self.audit_row(
                    "spell.import_create",
                    "import_run",
                    self.run_id,
                    f"{len(inserts):,} spells created by import {self.run_id} ({self.filename})",
                    None,
                    None,
                )
            )
        bulk_insert(Spell, inserts)
        if updates:
            db.session.execute(update(Spell), list(updates.values()))
        self.write_audit(audit)
        return tally
