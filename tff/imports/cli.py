"""`flask import KIND FILE [--dry-run] [--queue]`, as the command-line contract fixes it.

One summary line on stdout (`accepted N, rejected N, unmatched N`); each rejected row on
stderr with its line and reasons, then (families, members) each record changed, or that would
be in a dry run, with every field before and after. Exit 0 when the file was read (even with rejected rows),
2 when it was refused whole or the arguments or file are unusable, 1 when the job failed
otherwise.
"""

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from tff.extensions import db
from tff.imports.kinds import FORMATS
from tff.imports.models import ImportRun
from tff.imports.operations import JOB_KIND, create_run, job_title, link_job, rejections_query, summary_line
from tff.jobs.cli_support import run_and_wait
from tff.jobs.models import SUCCEEDED


@click.command("import")
@click.argument("kind", type=click.Choice(list(FORMATS)), metavar="KIND")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and keep the rejections; change no data.")
@click.option("--queue", is_flag=True, help="Hand the import to the workers and wait for it.")
@click.option(
    "--timeout", type=float, default=None, help="With --queue: seconds to wait (default: as long as it takes)."
)
@with_appcontext
def import_command(kind: str, file: Path, dry_run: bool, queue: bool, timeout: float | None):
    """Import FILE, a CSV file in the KIND format (see data-formats.md), and wait for it."""
    try:
        with file.open("rb") as stream:
            run = create_run(kind, file.name, stream, dry_run=dry_run)
    except OSError as exc:
        db.session.rollback()
        click.echo(f"Error: cannot read {file}: {exc.strerror or exc}", err=True)
        sys.exit(2)
    run_id = run.id
    job = run_and_wait(
        JOB_KIND,
        job_title(run),
        {"run_id": run_id},
        queue=queue,
        timeout=timeout,
        on_start=lambda started: link_job(run_id, started.id),
        exit_on_failure=False,
    )
    db.session.expire_all()
    run = db.session.get(ImportRun, run_id)
    if run.refusal:
        click.echo(f"Error: the file was refused, and nothing of it was imported. {run.refusal}", err=True)
        sys.exit(2)
    if job.state != SUCCEEDED:
        click.echo(f"Error: {job.message}", err=True)
        sys.exit(1)
    for rejection in db.session.scalars(rejections_query(run_id).execution_options(yield_per=1000)):
        click.echo(f"line {rejection.line}: {'; '.join(rejection.reasons)}", err=True)
    _echo_changes(run)
    _echo_unconfirmed(run)
    if dry_run:
        click.echo("Dry run: nothing was changed.", err=True)
    click.echo(summary_line({"accepted": run.accepted, "rejected": run.rejected, "unmatched": run.unmatched}))


def _echo_unconfirmed(run: ImportRun) -> None:
    """The families attached (or that would be) without meeting the criteria on what is
    confirmed, each with why: they are attached all the same, with that reason kept as an
    override wherever their attachment fee and claims are shown."""
    verb = "would be attached" if run.dry_run else "attached"
    for ref, why in run.unconfirmed_families:
        click.echo(f"{ref} {verb} without confirmed criteria: it {why}", err=True)
    more = run.unconfirmed - len(run.unconfirmed_families)
    if more > 0:
        click.echo(
            f"and {more:,} more {'family' if more == 1 else 'families'} {verb} without confirmed criteria", err=True
        )


def _echo_changes(run: ImportRun) -> None:
    """Each record the rows changed (or would change), with every field before and after, on
    stderr: stdout keeps its one summary line for scripts."""
    verb = "would change" if run.dry_run else "changed"
    for change in run.changes:
        fields = "; ".join(f"{name} {_value(old)} -> {_value(new)}" for name, old, new in change["fields"])
        click.echo(f"{change['ref']} {verb}: {fields}", err=True)
    more = run.changed - len(run.changes)
    if more > 0:
        where = "" if run.dry_run else " (the audit trail has every change)"
        click.echo(f"and {more:,} more {'record' if more == 1 else 'records'} {verb}, not listed{where}", err=True)


def _value(text: str) -> str:
    return f'"{text}"' if text else "(empty)"
