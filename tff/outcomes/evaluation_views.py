"""The cohort's evaluations: start one as of a date, follow it, read what it decided, and the
coordinators' worklist of near misses."""

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, stream_with_context, url_for
from flask_login import current_user
from sqlalchemy import case, func, select
from werkzeug.datastructures import Headers

from tff.auth import roles
from tff.auth.models import User
from tff.auth.permissions import role_required
from tff.cases.access import visible_families
from tff.cases.models import Family
from tff.exports import csv_text
from tff.extensions import db
from tff.jobs.operations import QueueUnavailable, mark_stale_jobs
from tff.outcomes import evaluation as evaluations
from tff.outcomes import undecided
from tff.outcomes.forms import EvaluationForm
from tff.outcomes.models import Evaluation, OutcomeDecision
from tff.outcomes.views import TITLES

bp = Blueprint("outcomes", __name__, url_prefix="/outcomes")

#: who may start an evaluation and read its totals (counts and money, no family's details)
READERS = (roles.COORDINATOR, roles.MANAGER, roles.FINANCE, roles.AUDITOR, roles.ADMIN)
STARTERS = (roles.COORDINATOR, roles.MANAGER, roles.FINANCE, roles.ADMIN)
#: who works or oversees the near misses (family by family, so through the access scoping)
NEAR_MISS_READERS = (roles.COORDINATOR, roles.MANAGER, roles.ADMIN)
#: near misses listed on the page
NEAR_MISSES_SHOWN = 200
#: families measured by no outcome plan listed on an evaluation's page
UNMEASURED_SHOWN = 200


def _get(evaluation_id: int) -> Evaluation:
    return db.session.get(Evaluation, evaluation_id) or abort(404)


@bp.get("/")
@role_required(READERS)
def index():
    mark_stale_jobs()
    shown = db.session.scalars(select(Evaluation).order_by(Evaluation.id.desc()).limit(50)).all()
    return render_template("outcomes/evaluations.html", evaluations=shown, can_start=current_user.role in STARTERS)


@bp.route("/new", methods=["GET", "POST"])
@role_required(STARTERS)
def new():
    form = EvaluationForm()
    if form.validate_on_submit():
        evaluation = evaluations.create(form.as_of.data, user=current_user)
        evaluation_id = evaluation.id
        try:
            evaluations.start_evaluation(evaluation, user=current_user)
        except QueueUnavailable as exc:
            evaluations.link_job(evaluation_id, exc.job.id)  # its page shows why it did not start
        return redirect(url_for("outcomes.show", evaluation_id=evaluation_id))
    return render_template(
        "form_page.html",
        form=form,
        heading="Decide the cohort's results",
        intro="Every attached phase one family's results are decided as of the date, by a background job. "
        "The decisions are kept with their reasons; claims are assembled from them.",
        back_url=url_for("outcomes.index"),
    )


@bp.get("/<int:evaluation_id>")
@role_required(READERS)
def show(evaluation_id: int):
    mark_stale_jobs()
    evaluation = _get(evaluation_id)
    totals = []
    if evaluation.finished:
        d = OutcomeDecision
        totals = db.session.execute(
            select(
                d.outcome,
                func.count(),
                func.sum(case((d.met, 1), else_=0)),
                func.sum(case((d.claimable, 1), else_=0)),
                func.coalesce(func.sum(d.amount), 0),
                func.sum(case((d.near_miss.is_not(None), 1), else_=0)),
            )
            .where(d.evaluation_id == evaluation.id)
            .group_by(d.outcome)
            .order_by(d.outcome)
        ).all()
    return render_template(
        "outcomes/evaluation.html",
        evaluation=evaluation,
        job=evaluation.job,
        waiting=evaluation.job is not None and evaluation.job.waiting_for_worker,
        totals=totals,
        titles=TITLES,
        can_see_near_misses=current_user.role in NEAR_MISS_READERS,
        undecided=undecided.of_evaluation(evaluation.id, visible_families(current_user)),
        undecided_count=evaluations.undecided_count(evaluation.id),
        unmeasured=evaluations.unmeasured_families(evaluation, visible_families(current_user), UNMEASURED_SHOWN)
        if evaluation.finished
        else [],
        unmeasured_count=evaluations.unmeasured_count(evaluation.id) if evaluation.finished else 0,
    )


def _near_misses(evaluation: Evaluation):
    """The evaluation's near misses among the user's families (`visible_families`), the most
    money first, each with its family's lead worker's name (joined: one query)."""
    d = OutcomeDecision
    mine = visible_families(current_user).with_only_columns(Family.id)
    return (
        select(d, User.name.label("lead_worker"))
        .join(Family, Family.id == d.family_id)
        .outerjoin(User, User.id == Family.lead_worker_id)
        .where(d.evaluation_id == evaluation.id, d.near_miss.is_not(None), d.family_id.in_(mine))
        .order_by(d.at_stake.desc().nulls_last(), d.near_miss, d.family_ref, d.outcome)
    )


@bp.get("/<int:evaluation_id>/near-misses")
@role_required(NEAR_MISS_READERS)
def near_misses(evaluation_id: int):
    evaluation = _get(evaluation_id)
    query = _near_misses(evaluation)
    count = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.execute(query.limit(NEAR_MISSES_SHOWN)).all()
    return render_template(
        "outcomes/near_misses.html",
        evaluation=evaluation,
        rows=rows,
        count=count,
        shown=NEAR_MISSES_SHOWN,
        titles=TITLES,
    )


#: the near misses' CSV: the page's columns, the result's code beside its title
NEAR_MISS_COLUMNS = [
    "Family reference",
    "Lead worker",
    "Result",
    "Result title",
    "At stake (£)",
    "Days away",
    "Still missing",
]


def _near_miss_rows(evaluation: Evaluation):
    yield NEAR_MISS_COLUMNS
    for decision, lead_worker in db.session.execute(_near_misses(evaluation).execution_options(yield_per=500)):
        yield [
            decision.family_ref,
            lead_worker or "",
            decision.outcome,
            TITLES.get(decision.outcome, decision.outcome),
            decision.at_stake if decision.at_stake is not None else "",
            decision.near_miss,
            "; ".join(decision.missing or []),
        ]


@bp.get("/<int:evaluation_id>/near-misses.csv")
@role_required(NEAR_MISS_READERS)
def near_misses_csv(evaluation_id: int):
    """Every near miss of the user's families (not only the first listed), for a spreadsheet."""
    evaluation = _get(evaluation_id)
    headers = Headers()
    headers.set("Content-Disposition", "attachment", filename=f"near-misses-{evaluation.as_of.isoformat()}.csv")
    body = csv_text(_near_miss_rows(evaluation))
    return Response(stream_with_context(body), mimetype="text/csv; charset=utf-8", headers=headers)


@bp.get("/<int:evaluation_id>/status")
@role_required(READERS)
def status(evaluation_id: int):
    mark_stale_jobs()
    evaluation = _get(evaluation_id)
    if evaluation.job is None:
        abort(404)
    return jsonify(evaluation.job.status())
