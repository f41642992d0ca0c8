from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, render_template, request
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from tff.audit.forms import AuditFilterForm
from tff.audit.models import AuditEntry
from tff.auth import roles
from tff.auth.models import User
from tff.auth.permissions import role_required
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


def _choices(column) -> list[SelectChoice]:
    return [SelectChoice("", "Any")] + [
        SelectChoice(v) for v in db.session.scalars(select(column).distinct().order_by(column))
    ]


@bp.get("/")
@role_required(roles.ADMIN, roles.AUDITOR)
def index():
    form = AuditFilterForm(request.args)
    form.action.choices = _choices(AuditEntry.action)
    form.object_type.choices = _choices(AuditEntry.object_type)
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if form.validate():
        if form.user.data:
            query = query.join(User, AuditEntry.user_id == User.id).where(
                User.email.contains(form.user.data.strip().lower(), autoescape=True)
            )
        if form.action.data:
            query = query.where(AuditEntry.action == form.action.data)
        if form.object_type.data:
            query = query.where(AuditEntry.object_type == form.object_type.data)
        if form.object_id.data:
            query = query.where(AuditEntry.object_id == form.object_id.data.strip())
        if form.date_from.data:
            query = query.where(AuditEntry.at >= _utc(form.date_from.data))
        if form.date_to.data:
            query = query.where(AuditEntry.at < _utc(form.date_to.data, end=True))
    # Keyset paging: "older" continues below the last id shown, fast at any depth.
    before = query_int("before", minimum=1)
    if before:
        query = query.where(AuditEntry.id < before)
    entries = db.session.scalars(query.limit(PAGE_SIZE + 1)).all()
    more = len(entries) > PAGE_SIZE
    entries = entries[:PAGE_SIZE]
    args = {k: v for k, v in request.args.items() if k != "before"}
    return render_template("audit/index.html", form=form, entries=entries, more=more, args=args)
