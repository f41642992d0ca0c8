"""What every import format is made of, and the checks of single cells they share.

A format is a subclass of one of two pipelines, both of which read the file twice and write
nothing of it until the second pass, which runs in one transaction:

- `BatchFormat` (families, members: rows that change case records one by one):
  1. checking (nothing written): every row is `parse`d (its cells alone), then, a batch of
     rows at a time, `resolve`d against the database (`lookup` fetches what a batch needs
     in a few set-based queries), and its `unique_keys` compared with the rows before it
     in the file (a reference given twice). Every reason is collected, not just the first.
  2. applying: the rows not rejected are parsed again, looked up and resolved again
     against the database as it now is (so a change made meanwhile is never overwritten
     unseen), and `apply` writes a batch with bulk statements.
- `StagedFormat` (the evidence formats: millions of rows):
  1. staging: every row is `parse`d once; the accepted rows are `stage`d in committed
     batches (flat memory, and progress keeps being written), and `repeats` finds the
     staged rows that repeat a key of an earlier line.
  2. merging: `merge` turns the staged rows into records with a handful of set-based
     statements; `hold` keeps the rows that need a person's decision.

`parse` must be a pure function of the cells, so both passes see the same values.
"""

import json
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, any_, func, literal, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY

from tff.audit.models import AuditEntry
from tff.audit.operations import changes
from tff.dates import date_problem
from tff.extensions import db
from tff.imports.reader import header_problems
from tff.timeutil import local, utcnow

#: a held row's own cells, kept in its `Row.values` under this key
CELLS = "_cells"
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: unknown codes named in one reason before "and N more"
CODES_SHOWN = 5
#: records changed, with each field before and after, kept on the import for its page and the
#: command's output (every change is in the audit trail as well, however many)
CHANGES_KEPT = 2000


@dataclass
class Tally:
    """What the accepted rows of a file did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    #: rows held for a person to resolve (evidence formats); counted apart from accepted
    unmatched: int = 0

    def add(self, other: "Tally") -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.unmatched += other.unmatched


@dataclass
class Row:
    line: int
    values: dict
    #: what `resolve` found out (ids of records the row refers to)
    resolved: dict = field(default_factory=dict)


def shown(value: str, limit: int = 40) -> str:
    """A cell quoted for a message, cut short when long."""
    return f'"{value[:limit]}…"' if len(value) > limit else f'"{value}"'


def as_text(value) -> str:
    """A field's value as the import's page and the command show it ("" for none)."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return ";".join(sorted(str(v) for v in value))
    return str(value)


def today() -> date:
    return local(utcnow()).date()


class Cells:
    """One row's cells (column -> text, surrounding spaces removed), read with every problem
    collected in `reasons` and the columns that had one in `invalid`."""

    __slots__ = ("cells", "reasons", "invalid")

    def __init__(self, cells: dict[str, str]):
        self.cells = cells
        self.reasons: list[str] = []
        self.invalid: set[str] = set()

    def raw(self, name: str) -> str:
        return self.cells.get(name, "")

    def problem(self, name: str, reason: str) -> None:
        self.reasons.append(reason)
        self.invalid.add(name)

    def values(self, values: dict) -> dict:
        """The values of the file's columns, without those of cells that had a problem: the
        checks against the database then see only what the row really says."""
        return {k: v for k, v in values.items() if k in self.cells and k not in self.invalid}

    def text(self, name: str, *, required: bool = False, max_length: int | None = None) -> str | None:
        value = self.cells.get(name, "")
        if not value:
            if required:
                self.problem(name, f"{name} is empty; it is required")
            return None
        if max_length and len(value) > max_length:
            self.problem(name, f"{name} is longer than {max_length} characters (it has {len(value):,})")
            return None
        return value

    def date(self, name: str, *, required: bool = False, not_future: bool = False) -> date | None:
        """A YYYY-MM-DD date within the plausible range (`tff.dates`), and not after today
        with `not_future`."""
        value = self.cells.get(name, "")
        if not value:
            if required:
                self.problem(name, f"{name} is empty; it is required")
            return None
        if not DATE.fullmatch(value):
            self.problem(name, f"{name} {shown(value)} is not a date in the form YYYY-MM-DD")
            return None
        try:
            day = date.fromisoformat(value)
        except ValueError:
            self.problem(name, f"{name} {shown(value)} is not a real date")
            return None
        if problem := date_problem(day, name, not_future=not_future):
            self.problem(name, problem)
            return None
        return day

    def choice(self, name: str, choices, *, required: bool = False) -> str | None:
        value = self.cells.get(name, "").lower()
        if not value:
            if required:
                self.problem(name, f"{name} is empty; it is required")
            return None
        if value not in choices:
            self.problem(name, f"{name} {shown(self.raw(name))} is not one of {', '.join(choices)}")
            return None
        return value

    def codes(self, name: str, known) -> frozenset[str]:
        """`;`-separated codes, each known (case and spaces around them do not matter)."""
        value = self.cells.get(name, "")
        if not value:
            return frozenset()
        codes = [code.strip().lower() for code in value.split(";")]
        codes = [code for code in dict.fromkeys(codes) if code]
        unknown = [code for code in codes if code not in known]
        if unknown:
            named = ", ".join(shown(code) for code in unknown[:CODES_SHOWN])
            more = f" and {len(unknown) - CODES_SHOWN:,} more" if len(unknown) > CODES_SHOWN else ""
            self.problem(
                name,
                f"{name} has {'an unknown code' if len(unknown) == 1 else 'unknown codes'} {named}{more} "
                f"(the codes are {', '.join(known)})",
            )
        return frozenset(code for code in codes if code in known)


class Format(ABC):
    """An import format: its columns, and how one row's cells are read."""

    #: the KIND of `flask import KIND FILE`
    name: ClassVar[str]
    #: for people, e.g. "Families"
    title: ClassVar[str]
    required: ClassVar[list[str]]
    optional: ClassVar[list[str]]

    @classmethod
    def allowed(cls) -> dict[str, list[str]]:
        """column -> the values it may hold, for the columns that take one of a list (the
        import form shows them beside the columns)."""
        return {}

    #: rows looked up (or staged) and written together
    batch_size: ClassVar[int] = 2000

    def __init__(self, run, columns: list[str]):
        self.run_id = run.id
        self.filename = run.filename
        self.dry_run = run.dry_run
        self.user_id = run.started_by_id
        #: the columns the file has: an optional column it lacks leaves that field alone
        self.columns = frozenset(columns)
        self.column_order = list(columns)
        self.now = utcnow()
        self.today = today()
        #: what the accepted rows changed in records that were held already: the first
        #: CHANGES_KEPT of them as {"ref", "fields": [[field, before, after], ...]}, and how many
        self.changes: list[dict] = []
        self.changed = 0
        #: the members and the families whose evidence or people the accepted rows wrote: their
        #: families' suggested criteria are worked out again once the import is committed
        self.members_written: set[int] = set()
        self.families_written: set[int] = set()

    @classmethod
    def header_problems(cls, columns: list[str]) -> list[str]:
        return header_problems(columns, cls.required, cls.optional, cls.name)

    @abstractmethod
    def parse(self, cells: dict[str, str]) -> tuple[dict, list[str]]:
        """(values, reasons) from the row's cells alone; values only for the file's columns."""

    # --- helpers ------------------------------------------------------------------------------

    def note_change(self, ref: str, fields: dict[str, tuple]) -> None:
        """Keep what a row changed in a held record (field -> (before, after)), for a person to
        see what an extract changed (a dry run included)."""
        self.changed += 1
        if len(self.changes) < CHANGES_KEPT:
            self.changes.append(
                {"ref": ref, "fields": [[name, as_text(old), as_text(new)] for name, (old, new) in fields.items()]}
            )

    def audit_row(self, action: str, object_type: str, object_id, summary: str, before, after) -> dict:
        """An audit entry as `tff.audit.operations.record` writes it, as a row for a bulk insert."""
        before, after = changes(before, after)
        return {
            "at": self.now,
            "user_id": self.user_id,
            "action": action,
            "object_type": object_type,
            "object_id": None if object_id is None else str(object_id),
            "summary": summary[:500],
            "before": before,
            "after": after,
            "remote_addr": None,
        }

    def write_audit(self, rows: list[dict]) -> None:
        bulk_insert(AuditEntry, rows)


class BatchFormat(Format):
    """A format checked and applied a batch of rows at a time (see the module's docstring)."""

    def unique_keys(self, row: Row, context) -> list[tuple[str, str]]:
        """(column, value) pairs no later row of the file may give again: the later row is
        rejected (first pass only)."""
        return []

    def prepare(self) -> None:  # noqa: B027 - an optional step: most formats need no lookups
        """Load the small lookups a pass needs (e.g. users by email); run at each pass's start."""

    def lookup(self, rows: list[Row], applying: bool) -> Any:
        """What `resolve` (and when `applying`, `apply`) needs from the database for a batch,
        in a few set-based queries."""
        return None

    def resolve(self, row: Row, context) -> list[str]:
        """Reasons the row cannot be applied to the database as it is; may fill `row.resolved`."""
        return []

    @abstractmethod
    def apply(self, rows: list[Row], context, dry_run: bool) -> Tally:
        """Write a batch of accepted rows with bulk statements (or, in a dry run, only count)."""


class StagedFormat(Format):
    """A format whose accepted rows are staged, then merged by set-based statements (see the
    module's docstring). Every step but `stage` runs inside the merging transaction."""

    batch_size = 25000

    @classmethod
    @abstractmethod
    def sweep(cls) -> None:
        """Clear what imports that are no longer being read left staged (in its own transaction)."""

    @abstractmethod
    def stage(self, rows: list[tuple[int, dict]]) -> None:
        """Stage a batch of accepted rows, (line, values) each (the caller commits)."""

    @abstractmethod
    def analyse(self) -> None:
        """Once every row is staged: let the database plan the merge for their number."""

    @abstractmethod
    def repeats(self) -> list[tuple[int, str]]:
        """(line, reason) of each staged row that repeats a key an earlier line gave; those rows
        are unstaged (the caller rejects them)."""

    @abstractmethod
    def merge(self) -> Tally:
        """Turn the staged rows into records (created, updated, unchanged), and count the rows
        that need a person's decision (unmatched)."""

    @abstractmethod
    def held_lines(self) -> dict[int, str]:
        """line -> why, of the staged rows that need a person's decision."""

    @abstractmethod
    def hold(self, rows: list[Row], why: dict[int, str]) -> None:
        """Keep those rows (read again from the file) for a person to decide on."""

    @abstractmethod
    def unstage(self) -> None:
        """Remove the run's staged rows."""


#: above this many values, SQLite gets them as one JSON parameter
FEW = 50


def among(column, values) -> ColumnElement[bool]:
    """`column IN values` for a batch's thousands of values, as one parameter: on PostgreSQL
    an array (`= ANY(...)`), on SQLite a JSON array read by `json_each`. (Thousands of
    parameters cost more to render and bind than the query costs to run.)"""
    values = list(values)
    if db.engine.dialect.name == "postgresql":
        return column == any_(literal(values, ARRAY(column.type)))
    if len(values) <= FEW:
        return column.in_(values)
    listed = json.dumps([v.isoformat() if isinstance(v, date) else v for v in values])
    return column.in_(select(literal_column("value")).select_from(func.json_each(literal(listed))))


def pairs(query) -> dict:
    """A two-column query's rows as a dict of first column -> second."""
    return dict(db.session.execute(query).all())


def bulk_insert(model, rows: list[dict]) -> None:
    """One executemany INSERT of many rows, on the table itself (the ORM's bulk insert would
    run one statement per row here). Every row names the same columns."""
    if rows:
        db.session.execute(model.__table__.insert(), rows)
