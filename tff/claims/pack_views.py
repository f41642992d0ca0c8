"""Evidence packs on the pages: a family's pack from its claim line, and a whole claim's, or its
audit sample's, packed by a background job into a ZIP to download (`tff.claims.packs`).

Packs are for the people who answer a spot check: finance officers, internal audit and
administrators. Each download is logged as a view of the family's data (one family) or of many
families' data (a ZIP), and each pack made writes the audit trail."""

from flask import Blueprint, Response, abort, flash, redirect, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import Headers

from tff.auth.permissions import role_required
from tff.cases.access import get_family_or_404
from tff.claims import packs
from tff.claims.models import ClaimLine, ClaimWindow
from tff.claims.operations import ClaimRefused
from tff.claims.pack_forms import PackForm
from tff.extensions import db
from tff.jobs.models import SUCCEEDED, Job

bp = Blueprint("claim_packs", __name__, url_prefix="/claims")

PACKERS = packs.PACKERS


def _window(window_id: int) -> ClaimWindow:
    window = db.session.get(ClaimWindow, window_id)
    if window is None or window.batch is None:
        abort(404)
    return window


@bp.app_template_global("may_pack")
def may_pack() -> bool:
    """Whether the signed-in user makes and downloads evidence packs."""
    return current_user.is_authenticated and current_user.role in PACKERS


@bp.app_template_global("claim_packs")
def claim_packs(window: ClaimWindow) -> dict | None:
    """For the window's page: the packs made of its claim and the form to make one, when the
    signed-in user may (`{% include "claims/_packs.html" %}`)."""
    if not may_pack():
        return None
    if window.batch is None or window.batch.assembled_at is None:
        return None
    form = PackForm(formdata=None)
    if window.batch.sampled_at is None:
        form.which.choices = [c for c in form.which.choices if c.value != packs.SAMPLE]
    return {"form": form, "jobs": packs.finished_packs(window), "succeeded": SUCCEEDED}


@bp.post("/<int:window_id>/packs")
@role_required(PACKERS)
def make(window_id: int):
    window = _window(window_id)
    form = PackForm()
    if not form.validate_on_submit():
        flash("Choose what to pack: every family in the claim, or the audit sample.", "error")
        return redirect(url_for("claims.show", window_id=window.id))
    try:
        job = packs.start_pack(window, form.which.data, current_user)
    except ClaimRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("claims.show", window_id=window.id))
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.get("/<int:window_id>/packs/<int:job_id>.zip")
@role_required(PACKERS)
def download(window_id: int, job_id: int):
    window = _window(window_id)
    job = db.session.get(Job, job_id)
    if job is None or job.kind != packs.JOB_KIND or (job.params or {}).get("window_id") != window.id:
        abort(404)
    path = packs.zip_path(job.id)
    if job.state != SUCCEEDED or not path.exists():
        abort(404)
    return send_file(
        path, mimetype="application/zip", as_attachment=True, download_name=f"evidence-{window.name}-{job.id}.zip"
    )


@bp.get("/<int:window_id>/families/<reference>/evidence.pdf")
@role_required(PACKERS)
def family_pack(window_id: int, reference: str):
    window = _window(window_id)
    has_line = db.session.scalar(
        select(ClaimLine.id).where(ClaimLine.batch_id == window.batch.id, ClaimLine.family_ref == reference).limit(1)
    )
    if has_line is None:
        abort(404)
    get_family_or_404(current_user, reference)  # the one door to a family's data; it logs the view
    pdf = packs.draw(window, packs.read_families(window, [reference])[0])
    headers = Headers()
    headers.set("Content-Disposition", "attachment", filename=f"evidence-{window.name}-{reference}.pdf")
    return Response(pdf, mimetype="application/pdf", headers=headers)
