"""Unmatched evidence: the rows no member could be matched to, each to attach to a member or
dismiss with a reason."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tff.auth import roles
from tff.auth.permissions import role_required
from tff.evidence import timeline as _timeline  # noqa: F401  (registers evidence's timeline sources)
from tff.evidence.forms import ANY_STATE, EVIDENCE_KINDS, AttachForm, DismissForm, QueueFilterForm, run_label
from tff.evidence.kinds import ATTACHED, DISMISSED, OPEN
from tff.evidence.matching import IDENTITY
from tff.evidence.models import UnmatchedRow
from tff.evidence.operations import CannotResolve, attach, count_rows, dismiss, page_of_rows, queue_conditions
from tff.extensions import db
from tff.imports.kinds import FORMATS
from tff.inputs import query_int

bp = Blueprint("evidence", __name__, url_prefix="/evidence")

#: who resolves unmatched rows (they hold personal data of people in every family)
RESOLVERS = (roles.COORDINATOR, roles.ADMIN)
#: rows listed on a page
PER_PAGE = 200
#: the queue's filters, as named in its URL
QUEUE_ARGS = ("run", "kind", "state")
#: a state chosen other than the default (open), as the page says it is filtered
ACTIVE_STATE_WORDS = {ATTACHED: "Attached rows", DISMISSED: "Dismissed rows", ANY_STATE: "Rows in any state"}


def _row(row_id: int) -> UnmatchedRow:
    return db.session.get(UnmatchedRow, row_id) or abort(404)


@bp.get("/unmatched")
@role_required(RESOLVERS)
def unmatched():
    form = QueueFilterForm(request.args)
    if not form.validate():
        # an unknown import, kind or state in the URL: said on the page, and nothing listed
        return render_template("evidence/unmatched.html", form=form, rows=[], total=None, **_queue_words(form)), 400
    conditions = queue_conditions(form.chosen_state, form.run_id, form.kind.data or None)
    rows, previous, more = page_of_rows(conditions, PER_PAGE, _row_id_arg("after"), _row_id_arg("before"))
    return render_template(
        "evidence/unmatched.html",
        form=form,
        rows=rows,
        total=count_rows(conditions),
        previous=previous,
        more=more,
        identity=IDENTITY,
        formats=FORMATS,
        **_queue_words(form),
    )


def _row_id_arg(name: str) -> int | None:
    """A row id the queue pages from; none for what cannot be one."""
    return query_int(name)


def _queue_words(form: QueueFilterForm) -> dict:
    """The filters in force, each with the queue's address without it, for the page to show."""
    args = form.args() if not form.errors else {}
    words = {
        "run": form.chosen_run and run_label(form.chosen_run),
        "kind": EVIDENCE_KINDS.get(form.kind.data or ""),
        "state": ACTIVE_STATE_WORDS.get(form.state.data or OPEN),
    }
    active = [
        (words[key], url_for("evidence.unmatched", **{k: v for k, v in args.items() if k != key})) for key in args
    ]
    return {"args": args, "active_filters": active}


def _queue_args() -> dict:
    """The queue's filters in the URL, carried to a row's page and back to the queue after."""
    return {key: request.args[key] for key in QUEUE_ARGS if request.args.get(key)}


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
            queue_args=_queue_args(),
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
    return redirect(url_for("evidence.unmatched", **_queue_args()))


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
    return redirect(url_for("evidence.unmatched", **_queue_args()))
