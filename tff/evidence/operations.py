"""Resolving unmatched evidence rows: attaching one to a member (its evidence then stored
exactly as an import stores it) or dismissing it with a reason. Both audited, in the change's
own transaction."""

from types import SimpleNamespace

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tff.audit.operations import record
from tff.cases.access import visible_families
from tff.cases.models import Family, Member
from tff.evidence.kinds import ATTACHED, DISMISSED, OPEN
from tff.evidence.models import UnmatchedRow
from tff.extensions import db
from tff.identification.job import suggest_again
from tff.imports.kinds import FORMATS
from tff.timeutil import utcnow


class CannotResolve(Exception):
    """The row cannot be resolved so: the message says why, for the person resolving it."""


def queue_conditions(state: str | None = OPEN, run_id: int | None = None, kind: str | None = None) -> list:
    """What picks rows for the queue: those in a state (None: any state), of one import and of
    one kind of evidence when given."""
    conditions = []
    if state:
        conditions.append(UnmatchedRow.state == state)
    if run_id is not None:
        conditions.append(UnmatchedRow.run_id == run_id)
    if kind:
        conditions.append(UnmatchedRow.kind == kind)
    return conditions


def count_rows(conditions: list) -> int:
    return db.session.scalar(select(func.count()).select_from(UnmatchedRow).where(*conditions))


def page_of_rows(
    conditions: list, size: int, after: int | None = None, before: int | None = None
) -> tuple[list[UnmatchedRow], bool, bool]:
    """A page of the rows that meet `conditions`, oldest first, by keyset: the `size` rows just
    after the row `after`, or just before the row `before` (the first page without either), and
    whether there are rows before and after the page."""
    query = select(UnmatchedRow).options(selectinload(UnmatchedRow.run)).where(*conditions)
    if before is not None:
        rows = db.session.scalars(
            query.where(UnmatchedRow.id < before).order_by(UnmatchedRow.id.desc()).limit(size)
        ).all()[::-1]
    else:
        if after is not None:
            query = query.where(UnmatchedRow.id > after)
        rows = db.session.scalars(query.order_by(UnmatchedRow.id).limit(size)).all()
    if not rows:
        # a page the rows have gone from (resolved since, or a link made up): the first page
        return page_of_rows(conditions, size) if after is not None or before is not None else ([], False, False)

    def any_where(condition) -> bool:
        return db.session.scalar(select(select(UnmatchedRow.id).where(*conditions, condition).exists()))

    return rows, any_where(UnmatchedRow.id < rows[0].id), any_where(UnmatchedRow.id > rows[-1].id)


def held_counts(run_id: int) -> dict[str, int]:
    """How many of an import's held rows are open, attached and dismissed."""
    query = select(UnmatchedRow.state, func.count()).where(UnmatchedRow.run_id == run_id).group_by(UnmatchedRow.state)
    counts = dict.fromkeys((OPEN, ATTACHED, DISMISSED), 0)
    counts.update({state: count for state, count in db.session.execute(query)})
    return counts


def visible_member(user, person_ref: str) -> Member | None:
    """The member with this reference, if they are in a family the user may see."""
    families = visible_families(user).with_only_columns(Family.id)
    return db.session.scalar(
        select(Member).where(Member.person_ref == person_ref.strip(), Member.family_id.in_(families))
    )


def _check_open(row: UnmatchedRow) -> None:
    if row.state != OPEN:
        raise CannotResolve(f"This row has been {row.state} already.")


def attach(row: UnmatchedRow, person_ref: str, user) -> None:
    """Store the row's evidence for the member, as an import would, and mark the row attached."""
    _check_open(row)
    member = visible_member(user, person_ref or "")
    if member is None:
        raise CannotResolve(
            f"There is no member with the reference “{(person_ref or '').strip()}” in a family you can see."
        )
    run = SimpleNamespace(id=row.run_id, filename=row.run.filename, dry_run=False, started_by_id=user.id)
    fmt = FORMATS[row.kind](run, list(row.row))
    tally, reasons = fmt.store_for_member(row.row, member.id)
    if tally is None:
        db.session.rollback()
        raise CannotResolve("The row cannot be stored: " + "; ".join(reasons))
    what = "already held, so nothing new was stored" if tally.unchanged else "stored"
    row.state, row.member_id = ATTACHED, member.id
    row.resolved_by_id, row.resolved_at = user.id, utcnow()
    record(
        "evidence.unmatched_attach",
        "unmatched_row",
        row.id,
        f"Unmatched {row.kind} row (import {row.run_id}, line {row.line}) attached to member {member.person_ref}: "
        f"its evidence {what}",
        {"state": OPEN},
        {"state": ATTACHED, "person_ref": member.person_ref},
        user=user,
    )
    db.session.commit()
    if tally.created or tally.updated:
        # The evidence is committed: a failure here is logged, and leaves it so.
        suggest_again([member.family_id])


def dismiss(row: UnmatchedRow, reason: str, user) -> None:
    _check_open(row)
    reason = (reason or "").strip()
    if not reason:
        raise CannotResolve("Say why the row is dismissed.")
    row.state, row.dismissal_reason = DISMISSED, reason
    row.resolved_by_id, row.resolved_at = user.id, utcnow()
    record(
        "evidence.unmatched_dismiss",
        "unmatched_row",
        row.id,
        f"Unmatched {row.kind} row (import {row.run_id}, line {row.line}) dismissed: {reason}",
        {"state": OPEN},
        {"state": DISMISSED, "dismissal_reason": reason},
        user=user,
    )
    db.session.commit()
