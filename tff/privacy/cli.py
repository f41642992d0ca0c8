"""`flask privacy retention [--dry-run] [--queue]`: remove the personal data of families closed
longer than the retention period, as the administrator's page does."""

import click
from flask.cli import AppGroup

from tff.jobs.cli_support import run_and_wait
from tff.privacy import retention

privacy_cli = AppGroup("privacy", help="Data protection: retention of closed families' personal data.")


@privacy_cli.command("retention")
@click.option("--dry-run", is_flag=True, help="Only say how many families would have their personal data removed.")
@click.option("--queue", is_flag=True, help="Hand the job to the workers and wait for it.")
def retention_command(dry_run: bool, queue: bool):
    """Remove the personal data of families closed longer than the retention period."""
    due = retention.counts()
    held = f"; {due['held_back']:,} more wait for a claim to be submitted" if due["held_back"] else ""
    if dry_run:
        click.echo(
            f"{due['due']:,} families closed before {due['closed_before']:%-d %B %Y} "
            f"(more than {due['years']} years ago) would have their personal data removed{held}"
        )
        return
    job = run_and_wait(retention.JOB_KIND, retention.JOB_TITLE, {}, queue=queue)
    click.echo(job.message)
