from flask import Blueprint, abort, jsonify, render_template
from flask_login import current_user

from tff.auth.permissions import role_required
from tff.auth.roles import ALL
from tff.extensions import db
from tff.jobs.models import Job
from tff.jobs.operations import mark_stale_jobs, visible_jobs

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def _get_visible(job_id: int):
    job = db.session.scalar(visible_jobs(current_user).where(Job.id == job_id))
    if job is None:
        abort(404)
    return job


@bp.get("/")
@role_required(ALL)
def index():
    mark_stale_jobs()
    jobs = db.session.scalars(visible_jobs(current_user).limit(100)).all()
    return render_template("jobs/index.html", jobs=jobs)


@bp.get("/<int:job_id>")
@role_required(ALL)
def show(job_id: int):
    mark_stale_jobs()
    job = _get_visible(job_id)
    return render_template("jobs/show.html", job=job, waiting=job.waiting_for_worker)


@bp.get("/<int:job_id>/status")
@role_required(ALL)
def status(job_id: int):
    mark_stale_jobs()
    job = _get_visible(job_id)
    return jsonify(job.status())
