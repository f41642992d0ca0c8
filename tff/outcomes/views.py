"""The family's "Results" section: the results of an attached family as of a date (phase one's,
or its outcome plan's), decided by the same engine as the cohort and the claims, with the
reasons and what is still missing."""

from datetime import date

from flask import Blueprint, render_template, request
from flask_login import current_user

from tff.auth.permissions import role_required
from tff.auth.roles import ALL
from tff.cases.access import get_family_or_404
from tff.dates import date_problem
from tff.outcomes import loader
from tff.outcomes.phase1 import CONTINUOUS_EMPLOYMENT, CRIME_ASB_EDUCATION, PROGRESS_TO_WORK
from tff.outcomes.plans.evaluate import SIGNIFICANT_SUSTAINED_PROGRESS

bp = Blueprint("family_results", __name__, url_prefix="/families")

#: the results in the order the page shows them, with their titles
TITLES = {
    CRIME_ASB_EDUCATION: "Crime, anti-social behaviour and education",
    CONTINUOUS_EMPLOYMENT: "Continuous employment",
    PROGRESS_TO_WORK: "Progress to work",
    SIGNIFICANT_SUSTAINED_PROGRESS: "Significant and sustained progress",
}
AS_OF_ERROR = "Enter the as of date as a real date, for example 2013-07-31"


def _as_of(value: str | None) -> tuple[date, str | None]:
    """The as-of date asked for (today when none is), or today and the error to show."""
    value = (value or "").strip()
    if not value:
        return date.today(), None
    try:
        as_of = date.fromisoformat(value)
    except ValueError:
        return date.today(), AS_OF_ERROR
    if problem := date_problem(as_of, "The as of date"):
        return date.today(), problem
    return as_of, None


@bp.get("/<reference>/results")
@role_required(ALL)
def index(reference: str):
    family = get_family_or_404(current_user, reference)
    raw = request.args.get("as_of", "")
    decided_here = family.attached_on is not None
    as_of, error = _as_of(raw) if decided_here else (date.today(), None)
    decisions, undecided, no_results, unmeasured = [], None, None, False
    if decided_here and error is None:
        order = list(TITLES)
        (decided,) = loader.decide_each([family.id], as_of, loader.rule_sets())
        undecided = decided.undecided  # the rules could not decide it: the page says why
        no_results = decided.no_results  # attached after the date, or measured by no plan: why
        unmeasured = decided.unmeasured
        rank = {outcome: i for i, outcome in enumerate(order)}
        decisions = sorted(decided.decisions, key=lambda d: rank.get(d.outcome, len(order)))
    return render_template(
        "outcomes/results.html",
        family=family,
        as_of=as_of,
        as_of_value=raw if error else as_of.isoformat(),
        error=error,
        decided_here=decided_here,
        decisions=decisions,
        undecided=undecided,
        no_results=no_results,
        no_results_unmeasured=unmeasured,
        titles=TITLES,
    )
