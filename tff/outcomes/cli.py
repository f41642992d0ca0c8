"""`flask outcomes --as-of DATE [--family REF] [--json]`, as the command-line contract fixes it.

The evaluation is a job like any other: run here and waited for, or with `--queue` handed to
the workers (with `--helpers N` more of them asked to share its chunks). Its decisions are
kept; then they are printed. With `--json`: one JSON array on stdout, an object per family
and result, sorted by family reference then outcome, read back a few at a time (flat memory
on a whole cohort). Without it: a line per family and result, for people. Exit 1 when the
family named cannot be evaluated (no such family, not attached, attached after the date, or
measured by no adopted outcome plan: it has no results, and stderr says why) or the job fails;
and, once the others' decisions are printed, when any family could not be decided (each named
on stderr with why). In a cohort, a family attached after the date or measured by no plan has
no results: nothing is printed for it, and that is no error (the evaluation's page lists the
families no plan measures).
"""

import sys

import click
from flask.cli import with_appcontext

from tff.dates import PlausibleDate
from tff.extensions import db
from tff.jobs.cli_support import report_left_out, run_and_wait, write_json_array
from tff.outcomes import evaluation as evaluations
from tff.outcomes import undecided
from tff.outcomes.models import OutcomeDecision


def _line(d: OutcomeDecision) -> str:
    state = "met" if d.met else "not met"
    claim = f"claimable £{d.amount:,}" if d.claimable else "not claimable"
    return f"{d.family_ref}  {d.outcome:22} {state:8} {claim}"


@click.command("outcomes")
@click.option("--as-of", "as_of", required=True, type=PlausibleDate(), help="YYYY-MM-DD")
@click.option("--family", "family_ref", default=None, help="Only the family with this reference.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array of the decisions.")
@click.option("--queue", is_flag=True, help="Hand the evaluation to the workers and wait for it.")
@click.option("--helpers", type=click.IntRange(0, 64), default=0, help="With --queue: more workers to share it.")
@with_appcontext
def outcomes_command(as_of, family_ref: str | None, as_json: bool, queue: bool, helpers: int):
    """Decide every attached family's results (or one family's) as of a date."""
    try:
        evaluation = evaluations.create(as_of.date(), family_ref)
    except evaluations.NoResults as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    evaluation_id = evaluation.id
    run_and_wait(
        evaluations.JOB_KIND,
        evaluations.title(evaluation),
        {"evaluation_id": evaluation_id, "helpers": helpers if queue else 0},
        queue=queue,
        on_start=lambda job: evaluations.link_job(evaluation_id, job.id),
    )
    decisions = db.session.scalars(evaluations.decisions_query(evaluation_id).execution_options(yield_per=1000))
    if not as_json:
        for decision in decisions:
            click.echo(_line(decision))
    else:
        write_json_array(decision.as_json() for decision in decisions)
    report_left_out(undecided.of_evaluation(evaluation_id), "decided")
