"""Writing the audit trail.

`record` adds the entry to the current session and never commits: the caller's commit
writes the change and its entry together, or neither.
"""

from datetime import date, datetime

from flask import has_request_context, request
from flask_login import current_user

from tff.audit.models import AuditEntry
from tff.extensions import db


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def changes(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Only the fields that differ, so an entry shows what actually changed."""
    if before is None or after is None:
        return (
            {k: _plain(v) for k, v in before.items()} if before else None,
            {k: _plain(v) for k, v in after.items()} if after else None,
        )
    keys = [k for k in after if before.get(k) != after.get(k)]
    return (
        {k: _plain(before.get(k)) for k in keys},
        {k: _plain(after.get(k)) for k in keys},
    )


def record(
    action: str,
    object_type: str,
    object_id,
    summary: str,
    before: dict | None = None,
    after: dict | None = None,
    user=None,
) -> AuditEntry:
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    before, after = changes(before, after)
    entry = AuditEntry(
        user_id=user.id if user is not None else None,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        summary=summary[:500],
        before=before,
        after=after,
        remote_addr=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry
