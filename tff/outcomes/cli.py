"""`flask outcomes --as-of DATE [--family REF] [--json]`, as the command-line contract fixes it.

With `--json`: one JSON array on stdout, an object per family and result, sorted by family
reference then outcome, written a chunk of families at a time (flat memory on a whole
cohort). Without it: a line per family and result, for people. Exit 1 when the family named
is not there or has no results to decide.
"""

import json
import sys
from datetime import date

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from tff.cases.models import Family
from tff.extensions import db
from tff.outcomes import loader
from tff.outcomes.decisions import Decision
from tff.outcomes.phase1 import RULE_SET


def _family(reference: str, as_of: date) -> list[Decision]:
    family = db.session.scalar(select(Family).where(Family.reference == reference.strip()))
    if family is None:
        click.echo(f"Error: there is no family with the reference {reference!r}.", err=True)
        sys.exit(1)
    if family.attached_on is None:
        click.echo(f"Error: family {family.reference} is not attached, so it has no results yet.", err=True)
        sys.exit(1)
    if family.programme != RULE_SET:
        click.echo(
            f"Error: family {family.reference} is on {family.programme_label}; its results follow an outcome plan, "
            "which this product does not evaluate yet.",
            err=True,
        )
        sys.exit(1)
    return loader.decide([family.id], as_of, loader.settings(), loader.calendar())


def _line(d: Decision) -> str:
    state = "met" if d.met else "not met"
    claim = f"claimable £{d.amount:,}" if d.claimable else "not claimable"
    return f"{d.family_ref}  {d.outcome:22} {state:8} {claim}"


@click.command("outcomes")
@click.option("--as-of", "as_of", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--family", "family_ref", default=None, help="Only the family with this reference.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array of the decisions.")
@with_appcontext
def outcomes_command(as_of, family_ref: str | None, as_json: bool):
    """Decide every attached family's results (or one family's) as of a date."""
    day = as_of.date()
    chunks = iter([_family(family_ref, day)]) if family_ref is not None else loader.cohort(day)
    if not as_json:
        for chunk in chunks:
            for decision in chunk:
                click.echo(_line(decision))
        return
    out = sys.stdout
    out.write("[")
    first = True
    for chunk in chunks:
        for decision in chunk:
            out.write(("\n" if first else ",\n") + json.dumps(decision.as_json()))
            first = False
    out.write("\n]\n" if not first else "]\n")
