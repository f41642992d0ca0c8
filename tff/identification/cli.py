"""`flask identify --as-of DATE [--family REF] [--json]`, as `identification.md` fixes it.

The suggestions are worked out by a job run here (or with `--queue` by the workers) and kept;
then each identified family not yet attached is printed, by reference: with `--json` one JSON
array of an object per family (`family_ref`, `programme`, `suggested`, `confirmed`,
`eligible`, `eligible_if_confirmed`, `evidence` of the suggested codes); without it a line per
family. Exit 2 for a date that is not a usable date or a family that is not one identification
is for (nothing is changed); exit 1, once the others are printed, when some families could
not be worked out (each named on stderr with why).
"""

import sys

import click
from flask.cli import with_appcontext

from tff.dates import PlausibleDate
from tff.identification import job as identification
from tff.jobs.cli_support import report_left_out, run_and_wait, write_json_array


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _line(family: identification.Identified) -> str:
    if family.suggested:
        suggested = "; ".join(
            f"{code}: {', '.join(evidence)}" for code, (_, evidence) in sorted(family.suggested.items())
        )
    else:
        suggested = "nothing suggested" if family.has_evidence else "no evidence yet"
    confirmed = ", ".join(family.confirmed_codes()) or "none"
    return (
        f"{family.family_ref}  {family.programme}  suggested: {suggested}  confirmed: {confirmed}  "
        f"eligible: {_yes(family.eligible)}  if confirmed: {_yes(family.eligible_if_confirmed)}"
    )


@click.command("identify")
@click.option("--as-of", "as_of", required=True, type=PlausibleDate(), help="YYYY-MM-DD")
@click.option("--family", "family_ref", default=None, help="Only the family with this reference.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array, an object per family.")
@click.option("--queue", is_flag=True, help="Hand the work to the workers and wait for it.")
@with_appcontext
def identify_command(as_of, family_ref: str | None, as_json: bool, queue: bool):
    """Suggest the criteria of every identified family not yet attached (or one) as of a date."""
    day = as_of.date()
    if family_ref is not None:
        try:
            family_ref = identification.check_family(family_ref)
        except identification.UnknownFamily as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)
    job = run_and_wait(
        identification.JOB_KIND,
        identification.title(day, family_ref),
        {"as_of": day.isoformat(), "family_ref": family_ref},
        queue=queue,
    )
    left_out = identification.left_out(job.id)
    families = identification.identified(job.id, family_ref, skip=frozenset(f.family_id for f in left_out))
    if as_json:
        write_json_array(family.as_json() for family in families)
    else:
        for family in families:
            click.echo(_line(family))
    report_left_out(left_out, "worked out")
