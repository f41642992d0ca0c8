"""Running a job from a command: here and now, or handed to the workers, waiting either way."""

import json
import sys
import time
from collections.abc import Callable, Iterable

import click

from tff.extensions import db
from tff.jobs.models import SUCCEEDED, Job
from tff.jobs.operations import QueueUnavailable, mark_stale_jobs, start


def run_and_wait(
    kind: str,
    title: str,
    params: dict,
    queue: bool,
    timeout: float | None = None,
    on_start: Callable[[Job], None] | None = None,
    exit_on_failure: bool = True,
) -> Job:
    """Start a job and wait for its end, echoing progress to stderr. Exits 1 if it fails.

    `on_start(job)` is called once the job is recorded (for a job run here, once it has
    run), even when the queue is unreachable. With `exit_on_failure=False` a failed job is
    returned for the caller to explain.
    """
    try:
        job = start(kind, title, params, queue=queue)
    except QueueUnavailable as exc:
        if on_start:
            on_start(exc.job)
        click.echo(f"Error: {exc.job.message}", err=True)
        sys.exit(1)
    if on_start:
        on_start(job)
    if queue:
        click.echo(f"Job {job.id} queued: waiting for a worker", err=True)
        deadline = time.monotonic() + timeout if timeout else None
        shown = None
        while True:
            db.session.expire_all()
            mark_stale_jobs()
            job = db.session.get(Job, job.id)
            if job.finished:
                break
            if deadline and time.monotonic() > deadline:
                click.echo(
                    f"Error: job {job.id} has not finished after {timeout:.0f}s; it goes on in the background", err=True
                )
                sys.exit(1)
            line = f"{job.state}: {job.message or ''} {job.done}/{job.total or '?'}"
            if line != shown:
                click.echo(line, err=True)
                shown = line
            time.sleep(0.5)
    if job.state != SUCCEEDED and exit_on_failure:
        click.echo(f"Error: {job.message}", err=True)
        sys.exit(1)
    return job


def write_json_array(objects: Iterable[dict]) -> None:
    """One JSON array on stdout, an object a line, written as the objects come (flat memory on
    a whole cohort's output)."""
    out = sys.stdout
    out.write("[")
    first = True
    for item in objects:
        out.write(("\n" if first else ",\n") + json.dumps(item))
        first = False
    out.write("]\n" if first else "\n]\n")
    out.flush()


def report_left_out(families, what: str) -> None:
    """Name each family a cohort job left out (`family_ref`, `reason`) on stderr and exit 1;
    nothing when there is none. `what`: "decided", "worked out"."""
    if not families:
        return
    count = len(families)
    click.echo(f"Error: {count:,} {'family' if count == 1 else 'families'} could not be {what}:", err=True)
    for family in families:
        click.echo(f"{family.family_ref}: could not be {what}: {family.reason}", err=True)
    sys.exit(1)
