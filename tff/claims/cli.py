"""`flask claims ...`, as the command-line contract fixes it (`cli.md`). A refused step says why
on stderr and exits 1; nothing is changed by it."""

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from tff.cases.validation import reference_problem
from tff.claims import operations, packs
from tff.dates import PlausibleDate
from tff.extensions import db
from tff.jobs.cli_support import report_left_out, run_and_wait

claims_cli = AppGroup("claims", help="Claim windows and their payment-by-results claims.")
#: a YYYY-MM-DD within the dates the product accepts
DATE = PlausibleDate()


def _refused(exc: Exception) -> None:
    db.session.rollback()
    click.echo(f"Error: {exc}", err=True)
    sys.exit(1)


def _window(name: str):
    try:
        return operations.get_window(name)
    except operations.ClaimRefused as exc:
        _refused(exc)


@claims_cli.command("window-create")
@click.argument("name")
@click.option("--as-of", "as_of", required=True, type=DATE, help="The evidence cut-off, YYYY-MM-DD.")
@click.option("--opens", type=DATE, default=None)
@click.option("--closes", type=DATE, default=None)
@click.option("--sample-percent", type=int, default=10, show_default=True, help="Lines internal audit must verify.")
def window_create(name, as_of, opens, closes, sample_percent):
    """Create the claim window NAME (unique, e.g. 2013-07)."""
    if problem := reference_problem(name.strip(), "The window's name"):
        click.echo(f"Error: {problem}, like 2013-07", err=True)
        sys.exit(2)  # an unusable argument: nothing was changed
    try:
        window = operations.create_window(
            name, as_of.date(), opens.date() if opens else None, closes.date() if closes else None, sample_percent
        )
    except operations.ClaimRefused as exc:
        _refused(exc)
    click.echo(f"Claim window {window.name}: results as of {window.as_of}, audit sample {window.sample_percent}%")


@claims_cli.command("assemble")
@click.argument("name")
@click.option("--queue", is_flag=True, help="Hand the assembly to the workers and wait for it.")
@click.option("--helpers", type=click.IntRange(0, 64), default=0, help="With --queue: more workers to share it.")
def assemble(name, queue, helpers):
    """Assemble the window's draft claim (replacing its lines), and wait for it. Exit 1, with
    each family named on stderr, when any could not be decided (the draft is kept without them)."""
    window = _window(name)
    try:
        operations.check_assembly(window)
    except operations.ClaimRefused as exc:
        _refused(exc)
    job = run_and_wait(
        operations.JOB_KIND,
        f"Assemble the claim for {window.name}",
        {"window_id": window.id, "helpers": helpers if queue else 0},
        queue=queue,
    )
    click.echo(job.message)
    db.session.expire_all()
    report_left_out(operations.undecided_families(operations.get_window(name)), "decided")


@claims_cli.command("exclude")
@click.argument("name")
@click.argument("family_ref")
@click.argument("outcome")
@click.option("--reason", required=True, help="Why the line is excluded.")
def exclude(name, family_ref, outcome, reason):
    """Exclude a draft line, with its reason."""
    window = _window(name)
    try:
        operations.exclude(window, operations.get_line(window, family_ref, outcome), reason)
    except operations.ClaimRefused as exc:
        _refused(exc)
    click.echo(f"Excluded {family_ref} {outcome} from the claim for {window.name}")


@claims_cli.command("sample")
@click.argument("name")
def sample(name):
    """Draw internal audit's sample of the draft (recorded, reproducible) and list it."""
    window = _window(name)
    try:
        lines = operations.draw_sample(window)
    except operations.ClaimRefused as exc:
        _refused(exc)
    click.echo(f"Audit sample of the claim for {window.name}: {len(lines)} lines (seed {window.batch.sample_seed})")
    for line in lines:
        click.echo(f"{line.family_ref},{line.outcome},{line.amount}")


@claims_cli.command("verify")
@click.argument("name")
@click.argument("family_ref")
@click.argument("outcome")
@click.option("--note", required=True, help="What internal audit checked.")
@click.option("--reject", is_flag=True, help="The line fails the check: it is excluded.")
def verify(name, family_ref, outcome, note, reject):
    """Record internal audit's check of a sampled line."""
    window = _window(name)
    try:
        operations.verify(window, operations.get_line(window, family_ref, outcome), note, reject=reject)
    except operations.ClaimRefused as exc:
        _refused(exc)
    click.echo(f"{family_ref} {outcome}: {'rejected and excluded' if reject else 'verified'}")


@claims_cli.command("submit")
@click.argument("name")
def submit(name):
    """Lock the window's claim: from then on its lines never change."""
    window = _window(name)
    try:
        operations.submit(window)
    except operations.ClaimRefused as exc:
        _refused(exc)
    claimed, _ = operations.claimed_and_paid(window)
    click.echo(f"Submitted the claim for {window.name}: £{claimed:,}")
    if left_out := operations.undecided_families(window):
        refs = ", ".join(family.family_ref for family in left_out)
        click.echo(f"Not in it, because they could not be decided: {refs}", err=True)


@claims_cli.command("export")
@click.argument("name")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--summary", is_flag=True, help="One row per outcome and attachment year, over the included lines.")
def export(name, out, summary):
    """Write the window's claim as CSV: a row per line, or the summary."""
    window = _window(name)
    chunks = operations.export_summary(window) if summary else operations.export_lines(window)
    try:
        with out.open("w", newline="", encoding="utf-8") as file:
            for chunk in chunks:
                file.write(chunk)
    except OSError as exc:
        click.echo(f"Error: cannot write {out}: {exc.strerror or exc}", err=True)
        sys.exit(2)
    click.echo(f"Wrote {out}")


@claims_cli.command("evidence")
@click.argument("name")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--family", "family_ref", default=None, help="Only this family's pack.")
def evidence(name, out, family_ref):
    """Write the window's evidence pack for a spot check: OUT/FAMILY_REF.pdf for each family with
    an included line (its lines, their reasons and the records frozen when the claim was
    assembled) and OUT/index.csv (family_ref,outcome,amount,file)."""
    window = _window(name)
    if window.batch is None or window.batch.assembled_at is None:
        _refused(operations.ClaimRefused(f"The claim for {window.name} has not been assembled yet."))
    refs = packs.family_refs(window)
    if family_ref is not None:
        if family_ref not in refs:
            _refused(
                operations.ClaimRefused(f"The claim for {window.name} has no included line for family {family_ref}.")
            )
        refs = [family_ref]
    try:
        families, lines = packs.write(window, out, refs)
    except OSError as exc:
        click.echo(f"Error: cannot write the pack in {out}: {exc.strerror or exc}", err=True)
        sys.exit(2)
    packs.record_written(window, families, lines, str(out), None)
    click.echo(
        f"Wrote the evidence pack of the claim for {window.name} in {out}: "
        f"{packs.counted(families, 'family', 'families')}, {packs.counted(lines, 'line', 'lines')}"
    )
