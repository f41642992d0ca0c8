"""The import pages: the list of imports, the upload form, and an import's progress and result."""

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, stream_with_context, url_for
from flask_login import current_user
from werkzeug.datastructures import Headers

from tff.auth import roles
from tff.auth.permissions import has_role, role_required
from tff.evidence.operations import held_counts
from tff.evidence.views import RESOLVERS
from tff.exports import csv_text
from tff.extensions import db
from tff.imports.forms import ImportForm
from tff.imports.kinds import FORMATS
from tff.imports.models import ImportRun
from tff.imports.operations import (
    create_run,
    link_job,
    rejection_report,
    rejections_query,
    runs_query,
    start_import,
)
from tff.imports.reader import chunks
from tff.jobs.operations import QueueUnavailable, mark_stale_jobs

bp = Blueprint("imports", __name__, url_prefix="/imports")

#: who may import files and see imports (their rows hold personal data of every family)
IMPORTERS = (roles.COORDINATOR, roles.ADMIN)
#: rejected rows listed on the page; the report has them all
REJECTIONS_SHOWN = 200


def _get_run(run_id: int) -> ImportRun:
    return db.session.get(ImportRun, run_id) or abort(404)


@bp.get("/")
@role_required(IMPORTERS)
def index():
    mark_stale_jobs()
    runs = db.session.scalars(runs_query().limit(100)).all()
    return render_template("imports/index.html", runs=runs, formats=FORMATS)


@bp.route("/new", methods=["GET", "POST"])
@role_required(IMPORTERS)
def new():
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        run = create_run(
            form.kind.data, upload.filename or "upload.csv", upload.stream, current_user, form.dry_run.data
        )
        run_id = run.id
        try:
            start_import(run, user=current_user)
        except QueueUnavailable as exc:
            link_job(run_id, exc.job.id)  # the run's page shows why it did not start
        return redirect(url_for("imports.show", run_id=run_id))
    return render_template("imports/new.html", form=form, formats=FORMATS)


@bp.get("/templates/<kind>.csv")
@role_required(IMPORTERS)
def template(kind: str):
    """An empty file of the format: its header row, the required columns first, to fill in."""
    fmt = FORMATS.get(kind)
    if fmt is None:
        abort(404)
    return _download(csv_text([[*fmt.required, *fmt.optional]]), f"{kind}-template.csv", "text/csv")


@bp.get("/<int:run_id>")
@role_required(IMPORTERS)
def show(run_id: int):
    mark_stale_jobs()
    run = _get_run(run_id)
    rejections = db.session.scalars(rejections_query(run.id).limit(REJECTIONS_SHOWN)).all()
    # the rows it held that matched no member (or more than one): how many are still open
    held = held_counts(run.id) if run.finished and run.unmatched and not run.dry_run else None
    return render_template(
        "imports/show.html",
        run=run,
        job=run.job,
        fmt=FORMATS.get(run.kind),
        rejections=rejections,
        waiting=run.job is not None and run.job.waiting_for_worker,
        has_file=run.size > 0 and not run.refusal,
        held=held,
        held_total=sum(held.values()) if held else 0,
        can_resolve=has_role(*RESOLVERS),
    )


@bp.get("/<int:run_id>/status")
@role_required(IMPORTERS)
def status(run_id: int):
    mark_stale_jobs()
    run = _get_run(run_id)
    if run.job is None:
        abort(404)
    return jsonify(run.job.status())


def _download(body, filename: str, mimetype: str) -> Response:
    headers = Headers()
    headers.set("Content-Disposition", "attachment", filename=filename)
    return Response(stream_with_context(body), mimetype=mimetype, headers=headers)


@bp.get("/<int:run_id>/file")
@role_required(IMPORTERS)
def raw_file(run_id: int):
    run = _get_run(run_id)
    if run.refusal or not run.size:
        abort(404)  # a refused file is not kept
    return _download(chunks(run.id), run.filename, "text/csv")


@bp.get("/<int:run_id>/rejections.csv")
@role_required(IMPORTERS)
def rejections_csv(run_id: int):
    run = _get_run(run_id)
    if not run.finished or run.refusal:
        abort(404)
    stem = run.filename.rsplit(".", 1)[0] or "import"
    return _download(rejection_report(run), f"{stem}-rejected-rows.csv", "text/csv; charset=utf-8")
