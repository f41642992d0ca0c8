"""Data protection pages: the log of who viewed which family (auditors and administrators), and
the retention of closed families' personal data (administrators)."""

from datetime import datetime

from flask import Blueprint, Response, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user
from werkzeug.datastructures import Headers

from tff.auth import roles
from tff.auth.permissions import role_required
from tff.exports import csv_text
from tff.extensions import db
from tff.forms import show_problems
from tff.inputs import query_int
from tff.jobs.operations import QueueUnavailable
from tff.privacy import operations, retention
from tff.privacy.forms import RetentionForm, StartRetentionForm, ViewLogFilterForm

bp = Blueprint("privacy", __name__, url_prefix="/privacy")
bp.after_app_request(operations.log_download)

READERS = {roles.AUDITOR, roles.ADMIN}


def _filters(form: ViewLogFilterForm) -> operations.LogFilters:
    if not form.validate():
        return operations.LogFilters()
    return operations.LogFilters(
        family=form.family.data or "",
        user=form.user.data or "",
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )


def _before() -> tuple[datetime, int] | None:
    """Where the previous page ended; a spoilt value starts from the newest."""
    before_id = query_int("before_id")
    try:
        before_at = datetime.fromisoformat(request.args["before_at"])
    except (KeyError, ValueError):
        return None
    return (before_at, before_id) if before_id is not None else None


@bp.get("/family-views")
@role_required(READERS)
def family_views():
    form = ViewLogFilterForm(request.args)
    filters = _filters(form)
    rows, more = operations.page_of_views(filters, _before())
    args = {k: v for k, v in request.args.items() if k not in ("before_at", "before_id") and v}
    return render_template("privacy/family_views.html", form=form, rows=rows, more=more, args=args), (
        400 if form.errors else 200
    )


@bp.get("/family-views.csv")
@role_required(READERS)
def family_views_csv():
    filters = _filters(ViewLogFilterForm(request.args))
    headers = Headers()
    headers.set("Content-Disposition", "attachment", filename="family-views.csv")
    body = csv_text(operations.csv_rows(filters))
    return Response(stream_with_context(body), mimetype="text/csv; charset=utf-8", headers=headers)


@bp.route("/retention", methods=["GET", "POST"])
@role_required(roles.ADMIN)
def retention_settings():
    form = RetentionForm()
    if request.method == "GET":
        form.years.data = str(operations.retention_years())
    if form.validate_on_submit():
        try:
            years = operations.set_retention_years(int(form.years.data.strip()), current_user)
        except operations.SettingRefused as exc:
            db.session.rollback()
            show_problems(form, exc.problems)
        else:
            flash(f"Closed families' personal data is now kept for {years} years after closure", "success")
            return redirect(url_for("privacy.retention_settings"))
    return render_template(
        "privacy/retention.html",
        form=form,
        start_form=StartRetentionForm(),
        due=retention.counts(),
        heading="Retention of closed families' personal data",
        caption="Data protection",
        back_url=url_for("pages.home"),
    ), (400 if form.errors else 200)


@bp.post("/retention/run")
@role_required(roles.ADMIN)
def retention_run():
    if not StartRetentionForm().validate_on_submit():
        flash("The form had expired: nothing was started. Try again.", "error")
        return redirect(url_for("privacy.retention_settings"))
    try:
        job = retention.start_retention(user=current_user)
    except QueueUnavailable as exc:  # the job is recorded as failed: its page says why
        job = exc.job
    return redirect(url_for("jobs.show", job_id=job.id))
