"""spells.csv: states that last from one date to another (a benefit, a plan, employment).
Where `reference` is given, (source, reference) names the spell and a repeat updates it (an
end date arriving later is the common case); without one, the same person, kind, detail and
start date is the same spell, and its end date is updated."""

from functools import cached_property

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from tff.evidence.importing import EvidenceFormat
from tff.evidence.models import Spell
from tff.evidence.settings import spell_kinds
from tff.evidence.staging import StagedSpell
from tff.extensions import db
from tff.imports.kinds.base import Tally

FIELDS = ("member_id", "kind", "detail", "start_date", "end_date")


class Spells(EvidenceFormat):
    name = "spells"
    title = "Spells"
    fields_required = ["kind", "start_date"]
    fields_optional = ["end_date", "detail", "reference", "source"]
    staged = StagedSpell
    staged_fields = ("kind", "start_date", "end_date", "detail", "reference", "source")

    @classmethod
    def allowed(cls) -> dict[str, list[str]]:
        return {"kind": list(spell_kinds())}

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

    def merge_matched(self, matched):
        s, sp = StagedSpell, Spell
        tally = Tally()
        has_end = "end_date" in self.columns  # a column the file lacks leaves end dates alone
        columns = (sp.id, sp.source, sp.reference, *(getattr(sp, f) for f in FIELDS), *(getattr(s, f) for f in FIELDS))

        # Named by (source, reference): a row that changes the stored spell updates it.
        differs = [sp.member_id != s.member_id, sp.kind != s.kind, sp.detail != s.detail]
        differs.append(sp.start_date != s.start_date)
        if has_end:
            differs.append(sp.end_date.is_distinct_from(s.end_date))
        by_reference = (
            select(*columns)
            .join(s, and_(sp.source == s.source, sp.reference == s.reference))
            .where(matched, s.reference.is_not(None), or_(*differs))
        )
        changes = self._changes(by_reference, has_end)
        tally.updated = len(changes)

        # Without one, the same person, kind, detail and start date is the same spell: the
        # file's last line for it says how it ends. Counted as if the file's lines came one by
        # one: its first line against the stored spell, each later line against the one before.
        key = ("member_id", "kind", "detail", "start_date")
        repeats, first, last = self.first_and_last(matched, key, plain=True)
        same = (sp.member_id == s.member_id, sp.kind == s.kind, sp.detail == s.detail, sp.start_date == s.start_date)
        if has_end:
            stored = and_(*same, sp.reference.is_(None))
            ends_differ = sp.end_date.is_distinct_from(s.end_date)
            plain = select(*columns).join(s, stored).where(matched, s.reference.is_(None), last, ends_differ)
            plain_changes = self._changes(plain, has_end)
            changes += plain_changes
            tally.updated += len(plain_changes)
            if repeats:
                tally.updated += db.session.scalar(
                    select(func.count())
                    .select_from(s)
                    .join(sp, stored)
                    .where(matched, s.reference.is_(None), first, ends_differ)
                ) - len(plain_changes)
                tally.updated += self.replaced_in_file(matched, key, ("end_date",), plain=True)
        self.update_changed(sp, changes, "spell.import_update")

        # A new spell without a reference is stored as its first line gave it, with the end date
        # its last line gives.
        later = aliased(StagedSpell)
        last_end = (
            select(later.end_date)
            .where(*(getattr(later, k) == getattr(s, k) for k in ("run_id", *key)), later.reference.is_(None))
            .order_by(later.line.desc())
            .limit(1)
            .correlate(s)
            .scalar_subquery()
        )
        end_date = (
            case((s.reference.is_(None), last_end), else_=s.end_date).label("end_date") if repeats else s.end_date
        )
        new = (s.member_id, s.kind, s.detail, s.start_date, end_date, s.reference, s.source)
        new_with_reference = and_(
            s.reference.is_not(None), ~exists().where(sp.source == s.source, sp.reference == s.reference)
        )
        new_without = and_(s.reference.is_(None), first, ~exists().where(*same, sp.reference.is_(None)))
        query = self.new_rows(sp, new, matched, new_with_reference, new_without)
        tally.created = self.insert_new(sp, query, "spells")
        return tally

    def _changes(self, query, has_end: bool) -> list[tuple[int, dict, dict, str]]:
        """(id, before, after, summary) of the stored spells the query's rows change."""
        changes = []
        for id_, source, reference, *both in db.session.execute(query):
            before, after = dict(zip(FIELDS, both[:5], strict=True)), dict(zip(FIELDS, both[5:], strict=True))
            if not has_end:
                after["end_date"] = before["end_date"]
            what = f"{source or '(no source)'} {reference}" if reference else f"{after['kind']} {after['detail']}"
            changes.append(
                (id_, before, after, f"Spell {what.strip()} updated by import {self.run_id} ({self.filename})")
            )
        return changes
