"""The identification worklist's pages: the list (`identification.md`), its CSV for data teams,
and working out the cohort's suggestions again as of a date."""

from flask import Blueprint, Response, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from werkzeug.datastructures import Headers
from wtforms import SubmitField
from wtforms.validators import InputRequired

from tff.auth import roles
from tff.auth.permissions import role_required
from tff.auth.roles import ALL
from tff.dates import today
from tff.exports import csv_text
from tff.forms import DateField
from tff.identification import worklist
from tff.identification.job import JOB_KIND, title
from tff.jobs.operations import QueueUnavailable, mark_stale_jobs, start
from tff.outcomes.plans.document import MIN_PROBLEMS

bp = Blueprint("identification", __name__, url_prefix="/identification")

#: who may work out the cohort's suggestions again
STARTERS = {roles.COORDINATOR}


class SuggestForm(FlaskForm):
    as_of = DateField(
        "Evidence up to",
        description="The date the criteria are judged on: usually today. For example, 31 7 2013",
        default=today,
        validators=[InputRequired(message="Enter the date to judge the criteria on")],
    )
    submit = SubmitField("Work out the suggestions", widget=GovSubmitInput())


def page_items(filters: worklist.WorklistFilters, pages: int) -> list[dict]:
    """The pagination's page links: the first, the last, and the pages either side of this one,
    with an ellipsis where pages are left out."""
    shown = sorted({n for n in (1, filters.page - 1, filters.page, filters.page + 1, pages) if 1 <= n <= pages})
    items, before = [], 0
    for number in shown:
        if number > before + 1:
            items.append({"ellipsis": True})
        items.append(
            {
                "number": number,
                "href": url_for("identification.worklist", **filters.args(page=number)),
                "current": number == filters.page,
            }
        )
        before = number
    return items


def _page(form: SuggestForm, status: int = 200):
    choices = worklist.criterion_choices()
    filters = worklist.WorklistFilters.from_args(request.args, choices)
    found = worklist.page(current_user, filters)
    mark_stale_jobs()
    last = worklist.last_worked_out()
    page = render_template(
        "identification/worklist.html",
        page=found,
        filters=filters,
        criterion_groups=choices,
        groups=worklist.GROUPS,
        last=last,
        last_as_of=worklist.as_of_of(last),
        can_follow=last is not None and (current_user.role == roles.ADMIN or last.started_by_id == current_user.id),
        form=form if current_user.role in STARTERS else None,
        min_problems=MIN_PROBLEMS,
        page_items=page_items(filters, found.pages),
    )
    return page, status


@bp.get("/", endpoint="worklist")
@role_required(ALL)
def show():
    return _page(SuggestForm())


@bp.get("/worklist.csv", endpoint="worklist_csv")
@role_required(ALL)
def download():
    filters = worklist.WorklistFilters.from_args(request.args)
    headers = Headers()
    headers.set("Content-Disposition", "attachment", filename="identification-worklist.csv")
    body = csv_text(worklist.csv_rows(current_user, filters))
    return Response(stream_with_context(body), mimetype="text/csv; charset=utf-8", headers=headers)


@bp.post("/suggest")
@role_required(STARTERS)
def suggest():
    form = SuggestForm()
    if not form.validate_on_submit():
        return _page(form)
    as_of = form.as_of.data
    try:
        job = start(JOB_KIND, title(as_of), {"as_of": as_of.isoformat()}, user=current_user)
    except QueueUnavailable as exc:
        job = exc.job  # its page says why it did not start
    return redirect(url_for("jobs.show", job_id=job.id))
