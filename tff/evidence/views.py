"""Unmatched evidence: the rows no member could be matched to, each to attach to a member or
dismiss with a reason."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from tff.auth import roles
from tff.auth.permissions import role_required
from tff.evidence import timeline as _timeline  # noqa: F401  (registers evidence's timeline sources)
from tff.evidence.forms import AttachForm, DismissForm
from tff.evidence.matching import IDENTITY
from tff.evidence.models import UnmatchedRow
from tff.evidence.operations import CannotResolve, attach, dismiss, open_rows_query
from tff.extensions import db
from tff.imports.kinds import FORMATS

bp = Blueprint("evidence", __name__, url_prefix="/evidence")

#: who resolves unmatched rows (they hold personal data of people in every family)
RESOLVERS = (roles.COORDINATOR, roles.ADMIN)
#: rows listed on a page
PER_PAGE = 200


def _row(row_id: int) -> UnmatchedRow:
    return db.session.get(UnmatchedRow, row_id) or abort(404)


@bp.get("/unmatched")
@role_required(RESOLVERS)
def unmatched():
    rows = db.session.scalars(open_rows_query().limit(PER_PAGE)).all()
    total = db.session.scalar(select(func.count()).select_from(open_rows_query().subquery()))
    return render_template("evidence/unmatched.html", rows=rows, total=total, identity=IDENTITY, formats=FORMATS)


def _show(row, attach_form, dismiss_form, error=None, status=200):
    return (
        render_template(
            "evidence/unmatched_row.html",
            row=row,
            attach_form=attach_form,
            dismiss_form=dismiss_form,
            suggestion_form=AttachForm(formdata=None),
            error=error,
            formats=FORMATS,
        ),
        status,
    )


@bp.get("/unmatched/<int:row_id>")
@role_required(RESOLVERS)
def show(row_id: int):
    return _show(_row(row_id), AttachForm(formdata=None), DismissForm(formdata=None))


@bp.post("/unmatched/<int:row_id>/attach")
@role_required(RESOLVERS)
def attach_row(row_id: int):
    row = _row(row_id)
    form = AttachForm()
    if not form.validate_on_submit():
        return _show(row, form, DismissForm(formdata=None), status=400)
    try:
        attach(row, form.person_ref.data, current_user)
    except CannotResolve as exc:
        return _show(_row(row_id), form, DismissForm(formdata=None), error=str(exc), status=400)
    flash(f"Line {row.line} of {row.run.filename} was attached to member {form.person_ref.data.strip()}.")
    return redirect(url_for("evidence.unmatched"))


@bp.post("/unmatched/<int:row_id>/dismiss")
@role_required(RESOLVERS)
def dismiss_row(row_id: int):
    row = _row(row_id)
    form = DismissForm()
    if not form.validate_on_submit():
        return _show(row, AttachForm(formdata=None), form, status=400)
    try:
        dismiss(row, form.reason.data, current_user)
    except CannotResolve as exc:
        return _show(row, AttachForm(formdata=None), form, error=str(exc), status=400)
    flash(f"Line {row.line} of {row.run.filename} was dismissed.")
    return redirect(url_for("evidence.unmatched"))
