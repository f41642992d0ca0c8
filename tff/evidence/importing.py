"""What the evidence import formats (attendance, events, spells) share: the identity columns,
matching each batch to members, and holding the rows that match nobody (or more than one
person) as unmatched rows, for a person to resolve.

A format says how its own fields are read (`parse_fields`), what it needs to know of the
evidence already stored for a batch (`existing`), and how it stores matched rows (`store`).
Attaching an unmatched row to a member goes through the same steps (`store_for_member`).
"""

import hashlib
import json
from abc import abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlalchemy import select

from tff.evidence.kinds import OPEN
from tff.evidence.matching import IDENTITY, Match, identity_problems, match_rows, parse_identity, suggestions
from tff.evidence.models import UnmatchedRow
from tff.extensions import db
from tff.imports.kinds.base import Cells, Format, Row, Tally, among, bulk_insert

CELLS = "_cells"


def fingerprint(kind: str, cells: dict) -> str:
    return hashlib.sha256(json.dumps([kind, sorted(cells.items())]).encode()).hexdigest()


@dataclass
class Context:
    #: line -> the row's match
    matches: dict = field(default_factory=dict)
    #: line -> suggestions, for the unmatched rows
    suggestions: dict = field(default_factory=dict)
    #: what the format's `existing` found for the matched rows
    existing: Any = None


class EvidenceFormat(Format):
    #: the format's own columns
    fields_required: ClassVar[list[str]]
    fields_optional: ClassVar[list[str]]

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        cls.required = list(cls.fields_required)
        cls.optional = [*IDENTITY, *cls.fields_optional]

    @classmethod
    def header_problems(cls, columns):
        return super().header_problems(columns) + identity_problems(columns)

    # --- for each format ----------------------------------------------------------------------

    @abstractmethod
    def parse_fields(self, c: Cells) -> dict:
        """The format's own fields, read from the row's cells."""

    def unique_key(self, values: dict) -> tuple[str, str] | None:
        """A key no later row of the file may repeat (a source's reference), if any."""
        return None

    @abstractmethod
    def existing(self, rows: list[Row]) -> Any:
        """What `store` needs of the stored evidence, for rows whose `resolved["member_id"]` is set."""

    @abstractmethod
    def store(self, rows: list[Row], existing, dry_run: bool) -> Tally:
        """Write a batch of matched rows with bulk statements (in a dry run, only count)."""

    # --- the Format steps ---------------------------------------------------------------------

    def parse(self, cells):
        c = Cells(cells)
        # A row with a problem is rejected, so its values are never applied: all are kept
        # (the format's fields are read from columns named otherwise, e.g. possible_sessions).
        values = parse_identity(c)
        values.update(self.parse_fields(c))
        values[CELLS] = dict(cells)
        return values, c.reasons

    def unique_keys(self, row, context):
        key = self.unique_key(row.values)
        return [key] if key else []

    def lookup(self, rows, applying):
        if not applying:  # matching decides nothing about rejection: only the apply needs it
            return None
        values = [row.values for row in rows]
        matches = match_rows(values)
        context = Context(
            matches={row.line: m for row, m in zip(rows, matches, strict=True)},
            suggestions={row.line: s for row, s in zip(rows, suggestions(values, matches), strict=True)},
        )
        matched = []
        for row, m in zip(rows, matches, strict=True):
            if m.member_id is not None:
                row.resolved["member_id"] = m.member_id
                matched.append(row)
        context.existing = self.existing(matched)
        return context

    def apply(self, rows, context: Context, dry_run):
        matched = [row for row in rows if row.resolved.get("member_id") is not None]
        unmatched = [row for row in rows if row.resolved.get("member_id") is None]
        tally = self.store(matched, context.existing, dry_run)
        tally.unmatched += len(unmatched)
        if not dry_run:
            self.hold(unmatched, context)
        return tally

    def hold(self, rows: list[Row], context: Context) -> None:
        """Keep the unmatched rows, but not one held already (the same row again, in the same
        file or a later one): open, it is listed once; attached or dismissed, that decision
        stands (attaching the same cells again would store nothing new)."""
        if not rows:
            return
        prints = {row.line: fingerprint(self.name, row.values[CELLS]) for row in rows}
        query = select(UnmatchedRow.fingerprint).where(among(UnmatchedRow.fingerprint, set(prints.values())))
        held = set(db.session.scalars(query))
        inserts = []
        for row in rows:
            if prints[row.line] in held:
                continue
            held.add(prints[row.line])
            m: Match = context.matches[row.line]
            inserts.append(
                {
                    "run_id": self.run_id,
                    "kind": self.name,
                    "line": row.line,
                    "row": row.values[CELLS],
                    "fingerprint": prints[row.line],
                    "why": m.why,
                    "candidates": m.candidates,
                    "suggestions": context.suggestions.get(row.line, []),
                    "state": OPEN,
                    "created_at": self.now,
                }
            )
        bulk_insert(UnmatchedRow, inserts)

    # --- attaching a held row -----------------------------------------------------------------

    def store_for_member(self, cells: dict, member_id: int) -> tuple[Tally | None, list[str]]:
        """Store a held row's evidence for the member a person chose: the format's checks and
        idempotency as in an import. (None, reasons) when the row's own cells are not valid."""
        values, reasons = self.parse(cells)
        # The identity cells named nobody who could be found: that is why it was held.
        reasons = [r for r in reasons if not r.startswith("the row names nobody")]
        if reasons:
            return None, reasons
        row = Row(0, values, {"member_id": member_id})
        return self.store([row], self.existing([row]), False), []
