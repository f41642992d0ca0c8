"""The outcome plans pages: every version, each version's document, import, edit as a new
version, export, and adoption. Managers change plans; the others who work with results
read them."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import Headers

from tff.auth import roles
from tff.auth.permissions import role_required
from tff.extensions import db
from tff.outcomes.plan_versions import operations
from tff.outcomes.plan_versions.forms import MAX_PLAN_BYTES, AdoptForm, PlanEditForm, PlanImportForm, ShippedForm
from tff.outcomes.plan_versions.models import OutcomePlanVersion

bp = Blueprint("plans", __name__, url_prefix="/outcome-plans")

READERS = (roles.COORDINATOR, roles.MANAGER, roles.FINANCE, roles.AUDITOR, roles.ADMIN)
EDITORS = (roles.MANAGER, roles.ADMIN)
#: download formats: extension -> (format, mimetype)
FORMATS = {"yaml": ("yaml", "application/yaml"), "json": ("json", "application/json")}


def _get(version_id: int) -> OutcomePlanVersion:
    return db.session.get(OutcomePlanVersion, version_id) or abort(404)


@bp.get("/")
@role_required(READERS)
def index():
    versions = db.session.scalars(
        select(OutcomePlanVersion).order_by(OutcomePlanVersion.name, OutcomePlanVersion.version.desc())
    ).all()
    can_edit = current_user.role in EDITORS
    return render_template(
        "outcomes/plans/index.html",
        versions=versions,
        can_edit=can_edit,
        missing=operations.missing_shipped() if can_edit else [],
        shipped_form=ShippedForm(),
        frameworks=operations.FRAMEWORKS,
    )


@bp.post("/shipped")
@role_required(EDITORS)
def shipped():
    if not ShippedForm().validate_on_submit():
        abort(400)
    stored = operations.store_shipped(current_user)
    flash(f"Stored and adopted {', '.join(v.label for v in stored) or 'nothing: they are stored already'}")
    return redirect(url_for("plans.index"))


def _read_upload(form: PlanImportForm) -> tuple[str, str] | None:
    """(text, format) of the upload or the pasted text; None (with the form's error) when
    neither is usable."""
    upload = form.file.data
    if upload and upload.filename:
        try:
            return operations.read_plan_file(upload.stream.read(MAX_PLAN_BYTES + 1), upload.filename)
        except operations.PlanRefused as exc:
            form.file.errors.extend(exc.errors)
            return None
    if (form.text.data or "").strip():
        return form.text.data, form.fmt.data
    form.text.errors.append("Choose a plan file, or paste the plan")
    return None


@bp.route("/new", methods=["GET", "POST"])
@role_required(EDITORS)
def new():
    form = PlanImportForm()
    problems: list[str] = []
    if form.validate_on_submit() and (read := _read_upload(form)) is not None:
        try:
            version = operations.store(*read, current_user)
        except operations.PlanRefused as exc:
            problems = exc.errors
        else:
            flash(f"Stored {version.label}. It is not adopted yet.")
            return redirect(url_for("plans.show", version_id=version.id))
    return render_template("outcomes/plans/new.html", form=form, problems=problems), (400 if problems else 200)


@bp.get("/<int:version_id>")
@role_required(READERS)
def show(version_id: int):
    return _page(_get(version_id), AdoptForm())


def _page(version: OutcomePlanVersion, adopt_form: AdoptForm, status: int = 200):
    return render_template(
        "outcomes/plans/show.html",
        version=version,
        document=operations.document_of(version),
        text=operations.export(version, "yaml"),
        can_edit=current_user.role in EDITORS,
        adopt_form=adopt_form,
        frameworks=operations.FRAMEWORKS,
    ), status


@bp.get("/<int:version_id>/plan.<fmt>")
@role_required(READERS)
def export(version_id: int, fmt: str):
    if fmt not in FORMATS:
        abort(404)
    version = _get(version_id)
    headers = Headers()
    headers.set("Content-Disposition", "attachment", filename=f"{version.name}-v{version.version}.{fmt}")
    return Response(operations.export(version, FORMATS[fmt][0]), mimetype=FORMATS[fmt][1], headers=headers)


@bp.route("/<int:version_id>/edit", methods=["GET", "POST"])
@role_required(EDITORS)
def edit(version_id: int):
    version = _get(version_id)
    form = PlanEditForm()
    problems: list[str] = []
    if not form.is_submitted():
        form.text.data = operations.next_version_text(version)
    elif form.validate_on_submit():
        try:
            new_version = operations.store(form.text.data, "yaml", current_user, source=f"edited from {version.label}")
        except operations.PlanRefused as exc:
            problems = exc.errors
        else:
            flash(f"Stored {new_version.label}. It is not adopted yet.")
            return redirect(url_for("plans.show", version_id=new_version.id))
    return render_template("outcomes/plans/edit.html", form=form, version=version, problems=problems), (
        400 if problems else 200
    )


@bp.post("/<int:version_id>/adopt")
@role_required(EDITORS)
def adopt(version_id: int):
    version = _get(version_id)
    form = AdoptForm()
    if form.validate_on_submit():
        try:
            operations.adopt(version, form.in_force_from.data, current_user)
        except operations.PlanRefused as exc:
            flash(exc.errors[0], "error")
        else:
            flash(f"Adopted {version.label}, in force from {version.in_force_from:%-d %B %Y}.")
        return redirect(url_for("plans.show", version_id=version.id))
    return _page(version, form, 400)
