"""The audit trail: every change, who made it, before and after; filtered, paged and
downloaded by the administrators and internal auditors."""

import json
from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, Response, render_template, request, stream_with_context
from sqlalchemy import select
from werkzeug.datastructures import Headers
from wtforms.fields.choices import SelectChoice

from tff.audit.forms import AuditFilterForm
from tff.audit.models import AuditEntry
from tff.auth import roles
from tff.auth.models import User
from tff.auth.permissions import role_required
from tff.exports import csv_text
from tff.extensions import db
from tff.inputs import query_int
from tff.timeutil import LONDON

bp = Blueprint("audit", __name__, url_prefix="/audit")

PAGE_SIZE = 50


def _utc(day, end=False) -> datetime:
    """The UTC instant where a UK local day starts (or, with `end`, the next one starts)."""
    local = datetime.combine(day + timedelta(days=1) if end else day, time.min, LONDON)
    return local.astimezone(UTC).replace(tzinfo=None)


def _choices(column) -> list[SelectChoice]:
    return [SelectChoice("", "Any")] + [
        SelectChoice(v) for v in db.session.scalars(select(column).distinct().order_by(column))
    ]


def _form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    form.action.choices = _choices(AuditEntry.action)
    form.object_type.choices = _choices(AuditEntry.object_type)
    return form


def _conditions(form: AuditFilterForm) -> list:
    """What the filters ask for, as conditions on the entries; none while the form has a
    problem (the page says which, beside its field, and shows the whole trail meanwhile)."""
    if not form.validate():
        return []
    conditions = []
    if form.user.data:
        who = select(User.id).where(User.email.contains(form.user.data.strip().lower(), autoescape=True))
        conditions.append(AuditEntry.user_id.in_(who))
    if form.action.data:
        conditions.append(AuditEntry.action == form.action.data)
    if form.object_type.data:
        conditions.append(AuditEntry.object_type == form.object_type.data)
    if form.object_id.data:
        conditions.append(AuditEntry.object_id == form.object_id.data.strip())
    if form.date_from.data:
        conditions.append(AuditEntry.at >= _utc(form.date_from.data))
    if form.date_to.data:
        conditions.append(AuditEntry.at < _utc(form.date_to.data, end=True))
    return conditions


def _any(conditions: list) -> bool:
    return db.session.scalar(select(AuditEntry.id).where(*conditions).limit(1)) is not None


def _filter_args() -> dict:
    """The address's filters, every value kept (a date is three boxes of one name), without
    the paging: the paging links, the CSV and "Clear filters" build on them."""
    paging = ("before", "after", "submit")
    return {k: v for k, v in request.args.to_dict(flat=False).items() if k not in paging and any(v)}


@bp.get("/")
@role_required(roles.ADMIN, roles.AUDITOR)
def index():
    """Newest first, paged by id both ways ("older" below the last id shown, "newer" above the
    first), so any page of a long trail is one indexed range, at any depth."""
    form = _form()
    conditions = _conditions(form)
    query = select(AuditEntry).where(*conditions)
    before = query_int("before", minimum=1)
    after = query_int("after", minimum=1) if before is None else None
    if after:
        entries = list(
            reversed(
                db.session.scalars(query.where(AuditEntry.id > after).order_by(AuditEntry.id).limit(PAGE_SIZE)).all()
            )
        )
    else:
        if before:
            query = query.where(AuditEntry.id < before)
        entries = db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(PAGE_SIZE)).all()
    newer = bool(entries and (before or after) and _any([*conditions, AuditEntry.id > entries[0].id]))
    older = bool(entries and _any([*conditions, AuditEntry.id < entries[-1].id]))
    return render_template(
        "audit/index.html",
        form=form,
        entries=entries,
        newer=newer,
        older=older,
        args=_filter_args(),
    )


#: the audit trail's CSV; `Before` and `After` hold the changed fields as JSON
CSV_COLUMNS = ["When (UTC)", "Who", "Email", "Action", "What happened", "Kind of record", "Record", "Before", "After"]
CSV_BATCH = 1000


def _json(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str) if value else ""


def _csv_rows(conditions: list):
    yield CSV_COLUMNS
    query = (
        select(
            AuditEntry.at,
            User.name,
            User.email,
            AuditEntry.action,
            AuditEntry.summary,
            AuditEntry.object_type,
            AuditEntry.object_id,
            AuditEntry.before,
            AuditEntry.after,
        )
        .outerjoin(User, User.id == AuditEntry.user_id)
        .where(*conditions)
        .order_by(AuditEntry.id.desc())
    )
    for row in db.session.execute(query.execution_options(yield_per=CSV_BATCH)):
        yield [
            row.at.isoformat(sep=" ", timespec="seconds"),
            row.name if row.email else "The system",
            row.email or "",
            row.action,
            row.summary,
            row.object_type,
            row.object_id or "",
            _json(row.before),
            _json(row.after),
        ]


@bp.get("/audit-trail.csv")
@role_required(roles.ADMIN, roles.AUDITOR)
def download():
    """Every entry the filters show (all pages, newest first), for a spreadsheet, streamed."""
    conditions = _conditions(_form())
    headers = Headers()
    headers.set("Content-Disposition", "attachment", filename="audit-trail.csv")
    body = csv_text(_csv_rows(conditions))
    return Response(stream_with_context(body), mimetype="text/csv; charset=utf-8", headers=headers)
