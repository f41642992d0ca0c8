"""`flask funding ...`, as the command-line contract fixes it (`cli.md`): unusable input says
what is wrong on stderr and exits 2, with nothing changed."""

import sys

import click
from flask.cli import AppGroup

from tff.extensions import db
from tff.funding import commitments

funding_cli = AppGroup("funding", help="The programme's funding: commitments per programme and year.")


@funding_cli.command("commitment")
@click.argument("programme")
@click.argument("year")
@click.option("--committed", required=True, type=int, help="The families the council agreed to work with.")
@click.option(
    "--funded",
    type=int,
    default=None,
    help="The government's own figure of the families funded; without it, those committed less the deadweight share.",
)
def commitment(programme, year, committed, funded):
    """Record the families committed and funded for PROGRAMME (phase1, phase2 or
    supporting_families) in the financial YEAR (like 2012/13)."""
    try:
        saved = commitments.set_commitment(programme, year, committed, funded, None)
    except commitments.Refused as exc:
        db.session.rollback()
        for field, problem in exc.problems.items():
            click.echo(f"Error: {field.replace('_', ' ')}: {problem}", err=True)
        sys.exit(2)
    if saved is None:
        found = commitments.commitments()[programme, year.strip()]
        click.echo(
            f"{programme} {found.year}: unchanged, {found.committed} families committed, {found.funded} funded "
            f"({found.funded_words})"
        )
        return
    click.echo(
        f"{programme} {saved.year}: {saved.committed} families committed, {saved.funded} funded ({saved.funded_words})"
    )
