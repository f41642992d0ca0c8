"""What the evidence import formats (attendance, events, spells) share: the identity columns,
staging and matching, and holding the rows that match nobody (or more than one person) as
unmatched rows, for a person to resolve.

A format says how its own fields are read (`parse_fields`) and staged (`staged`,
`staged_fields`), and how its matched staged rows become evidence (`merge_matched`, a few
set-based statements with its idempotency rules). Attaching an unmatched row to a member goes
through the same staging and merge (`store_for_member`), so it follows the same rules.
"""

import hashlib
import json
from abc import abstractmethod
from functools import cached_property
from operator import itemgetter
from typing import ClassVar

from sqlalchemy import and_, exists, func, insert, literal, or_, select, true, union_all, update
from sqlalchemy.orm import aliased

from tff.cases.models.member import name_key
from tff.evidence import staging
from tff.evidence.kinds import OPEN
from tff.evidence.matching import (
    IDENTITY,
    Match,
    identity_problems,
    match_refs,
    match_rows,
    parse_identity,
    suggestions,
)
from tff.evidence.models import UnmatchedRow
from tff.extensions import db
from tff.imports.kinds.base import CELLS, Cells, StagedFormat, Tally, among, bulk_insert, shown

#: what names a record from the source (events and spells)
REFERENCE = "source and reference"


def fingerprint(kind: str, cells: dict) -> str:
    return hashlib.sha256(json.dumps([kind, sorted(cells.items())]).encode()).hexdigest()


class EvidenceFormat(StagedFormat):
    #: the format's own columns
    fields_required: ClassVar[list[str]]
    fields_optional: ClassVar[list[str]]
    #: the staging table, and the format's fields in it (named as in the parsed values)
    staged: ClassVar[type]
    staged_fields: ClassVar[tuple[str, ...]]

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

    @abstractmethod
    def merge_matched(self, matched) -> Tally:
        """Turn the run's matched staged rows (`matched`: the condition that selects them) into
        records, by its idempotency rules; audit every change. Returns created and updated."""

    # --- reading ------------------------------------------------------------------------------

    def parse(self, cells):
        c = Cells(cells)
        # A row with a problem is rejected, so its values are never applied: all are kept
        # (the format's fields are read from columns named otherwise, e.g. possible_sessions).
        values = parse_identity(c)
        values.update(self.parse_fields(c))
        return values, c.reasons

    # --- staging ------------------------------------------------------------------------------

    @classmethod
    def sweep(cls):
        staging.sweep()

    @property
    def _staged_columns(self) -> tuple[str, ...]:
        return ("run_id", "line", *staging.IDENTITY_COLUMNS, *self.staged_fields)

    @cached_property
    def _fields_of(self):
        """A row's own fields, in `staged_fields` order, from its values (a tuple either way)."""
        get = itemgetter(*self.staged_fields)
        return get if len(self.staged_fields) > 1 else lambda values: (get(values),)

    def _staged_row(self, line: int, values: dict, match: Match) -> tuple:
        first, last = values["first_name"], values["last_name"]
        return (
            self.run_id,
            line,
            values["person_ref"],
            values["upn"],
            values["nino"],
            name_key(first) if first else None,
            name_key(last) if last else None,
            values["date_of_birth"],
            match.member_id,
            match.why,
        ) + self._fields_of(values)

    def stage(self, rows):
        if self.columns.intersection(IDENTITY) == {"person_ref"}:
            matches = match_refs([values["person_ref"] for _, values in rows])
        else:
            matches = match_rows([values for _, values in rows])
        staged = [self._staged_row(line, values, m) for (line, values), m in zip(rows, matches, strict=True)]
        staging.insert_rows(self.staged, self._staged_columns, staged)

    def analyse(self):
        staging.analyse(self.staged)

    def repeats(self):
        """Where (source, reference) names the record, a later line giving it again is rejected."""
        if "reference" not in self.staged_fields:
            return []
        s, earlier = self.staged, aliased(self.staged)
        mine = and_(s.run_id == self.run_id, s.reference.is_not(None))
        again = exists().where(
            earlier.run_id == s.run_id,
            earlier.source == s.source,
            earlier.reference == s.reference,
            earlier.line < s.line,
        )
        repeated = db.session.execute(select(s.line, s.source, s.reference).where(mine, again)).all()
        if not repeated:  # the common case: nothing to group or remove
            return []
        firsts = dict(
            ((source, reference), line)
            for source, reference, line in db.session.execute(
                select(s.source, s.reference, func.min(s.line))
                .where(mine, among(s.reference, {reference for _, _, reference in repeated}))
                .group_by(s.source, s.reference)
            )
        )
        found = [
            (
                line,
                f"{REFERENCE} {shown(f'{source}/{reference}')} is given earlier in the file, "
                f"on line {firsts[source, reference]:,}",
            )
            for line, source, reference in repeated
        ]
        lines = [line for line, _ in found]
        for i in range(0, len(lines), 10000):
            db.session.execute(
                self.staged.__table__.delete().where(
                    self.staged.run_id == self.run_id, among(self.staged.line, lines[i : i + 10000])
                )
            )
        return found

    def unstage(self):
        staging.clear(self.staged, self.run_id)

    # --- merging ------------------------------------------------------------------------------

    def merge(self) -> Tally:
        staging.roomy()
        s = self.staged
        matched = and_(s.run_id == self.run_id, s.member_id.is_not(None))
        rows = db.session.scalar(select(func.count()).select_from(s).where(matched))
        tally = self.merge_matched(matched)
        tally.unchanged = rows - tally.created - tally.updated
        return tally

    def held_lines(self):
        s = self.staged
        query = select(s.line, s.why).where(s.run_id == self.run_id, s.member_id.is_(None))
        return dict(db.session.execute(query).all())

    def new_rows(self, model, columns: tuple, matched, *kinds):
        """The staged rows to insert as new records, in the file's order: those of each kind
        (a condition) apart, so that each is planned as one anti-join, not row by row."""
        s = self.staged
        stamp = (literal(self.run_id).label("run_id"), literal(self.now, model.created_at.type).label("created_at"))
        parts = [select(*columns, *stamp, s.line.label("staged_line")).where(matched, kind) for kind in kinds]
        rows = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
        return select(*(c for c in rows.c if c.name != "staged_line")).order_by(rows.c.staged_line)

    def insert_new(self, model, select_new, what: str) -> int:
        """INSERT … SELECT the new records, and audit their creation once for the import (each
        record carries its import run). Returns how many."""
        statement = insert(model.__table__).from_select(list(select_new.selected_columns.keys()), select_new)
        members = db.session.execute(statement.returning(model.__table__.c.member_id)).scalars().all()
        created = len(members)
        self.members_written.update(members)
        if created:
            self.write_audit(
                [
                    self.audit_row(
                        f"{self.name[:-1] if self.name.endswith('s') else self.name}.import_create",
                        "import_run",
                        self.run_id,
                        f"{created:,} {what} created by import {self.run_id} ({self.filename})",
                        None,
                        None,
                    )
                ]
            )
        return created

    def alone(self, key: tuple[str, ...], *, before: bool, plain: bool = False):
        """The condition that no other staged row of the run gives the same key on a line
        before (or after) this one: the key's first (or last) line in the file. `plain`: only
        rows without a reference count."""
        s, other = self.staged, aliased(self.staged)
        same = [getattr(other, k) == getattr(s, k) for k in key]
        if plain:
            same.append(other.reference.is_(None))
        return ~exists().where(other.run_id == s.run_id, *same, other.line < s.line if before else other.line > s.line)

    def repeated(self, matched, key: tuple[str, ...], *, plain: bool = False) -> bool:
        """Whether any staged row gives a record an earlier line gave too. (Mostly none do,
        and the merge then leaves out the statements and conditions only repeats need.)"""
        s = self.staged
        keys = [getattr(s, k) for k in key]
        query = select(literal(1)).where(matched).group_by(*keys).having(func.count() > 1).limit(1)
        if plain:
            query = query.where(s.reference.is_(None))
        return db.session.scalar(query) is not None

    def first_and_last(self, matched, key: tuple[str, ...], *, plain: bool = False):
        """(repeated, the condition of a key's first line, of its last line)."""
        if not self.repeated(matched, key, plain=plain):
            return False, true(), true()
        return True, self.alone(key, before=True, plain=plain), self.alone(key, before=False, plain=plain)

    def replaced_in_file(self, matched, key: tuple[str, ...], values: tuple[str, ...], *, plain: bool = False) -> int:
        """How many rows give a record an earlier line of the file gave too, with other values:
        each replaces it, as it would have replaced it in the database."""
        if not values:
            return 0
        s = self.staged
        window = {"partition_by": [getattr(s, k) for k in key], "order_by": s.line}
        rows = select(
            func.row_number().over(**window).label("n"),
            *(getattr(s, v).label(v) for v in values),
            *(func.lag(getattr(s, v)).over(**window).label(f"previous_{v}") for v in values),
        ).where(matched)
        if plain:
            rows = rows.where(s.reference.is_(None))
        rows = rows.subquery()
        changed = or_(*(rows.c[v].is_distinct_from(rows.c[f"previous_{v}"]) for v in values))
        return db.session.scalar(select(func.count()).select_from(rows).where(rows.c.n > 1, changed))

    def update_changed(self, model, changes: list[tuple[int, dict, dict, str]], action: str) -> int:
        """Write the changes to stored records (id, before, after, summary), each audited."""
        if changes:
            db.session.execute(update(model), [{"id": id_, **after} for id_, _, after, _ in changes])
            # whose they were and whose they are now (the member too may have changed)
            self.members_written.update(b["member_id"] for _, b, _, _ in changes if "member_id" in b)
            ids = [id_ for id_, _, _, _ in changes]
            self.members_written.update(db.session.scalars(select(model.member_id).where(among(model.id, ids))))
            self.write_audit(
                [self.audit_row(action, model.__tablename__[:-1], id_, what, b, a) for id_, b, a, what in changes]
            )
        return len(changes)

    # --- holding ------------------------------------------------------------------------------

    def hold(self, rows, why):
        """Keep the unmatched rows, but not one held already (the same row again, in the same
        file or a later one): open, it is listed once; attached or dismissed, that decision
        stands (attaching the same cells again would store nothing new)."""
        if not rows:
            return
        values = [row.values for row in rows]
        matches = match_rows(values)  # for the candidates of the ambiguous rows
        offered = suggestions(values, matches)
        prints = {row.line: fingerprint(self.name, row.values[CELLS]) for row in rows}
        query = select(UnmatchedRow.fingerprint).where(among(UnmatchedRow.fingerprint, set(prints.values())))
        held = set(db.session.scalars(query))
        inserts = []
        for row, m, offer in zip(rows, matches, offered, strict=True):
            if prints[row.line] in held:
                continue
            held.add(prints[row.line])
            inserts.append(
                {
                    "run_id": self.run_id,
                    "kind": self.name,
                    "line": row.line,
                    "row": row.values[CELLS],
                    "fingerprint": prints[row.line],
                    "why": why[row.line],
                    "candidates": list(m.candidates),
                    "suggestions": offer,
                    "state": OPEN,
                    "created_at": self.now,
                }
            )
        bulk_insert(UnmatchedRow, inserts)

    # --- attaching a held row -----------------------------------------------------------------

    def store_for_member(self, cells: dict, member_id: int) -> tuple[Tally | None, list[str]]:
        """Store a held row's evidence for the member a person chose, staged and merged as in an
        import (so with its checks and idempotency). (None, reasons) when the row's own cells
        are not valid."""
        values, reasons = self.parse(cells)
        # The identity cells named nobody who could be found: that is why it was held.
        reasons = [r for r in reasons if not r.startswith("the row names nobody")]
        if reasons:
            return None, reasons
        self.unstage()
        match = Match(member_id=member_id)
        staging.insert_rows(self.staged, self._staged_columns, [self._staged_row(0, values, match)])
        tally = self.merge()
        self.unstage()
        return tally, []
