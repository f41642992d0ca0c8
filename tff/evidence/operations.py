"""Resolving unmatched evidence rows: attaching one to a member (its evidence then stored
exactly as an import stores it) or dismissing it with a reason. Both audited, in the change's
own transaction."""

from types import SimpleNamespace

from sqlalchemy import select

from tff.audit.operations import record
from tff.cases.access import visible_families
from tff.cases.models import Family, Member
from tff.evidence.kinds import ATTACHED, DISMISSED, OPEN
from tff.evidence.models import UnmatchedRow
from tff.extensions import db
from tff.imports.kinds import FORMATS
from tff.timeutil import utcnow


class CannotResolve(Exception):
    """The row cannot be resolved so: the message says why, for the person resolving it."""


def open_rows_query():
    """Open unmatched rows, oldest first."""
    return select(UnmatchedRow).where(UnmatchedRow.state == OPEN).order_by(UnmatchedRow.id)


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
