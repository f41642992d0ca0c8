"""Starting an import, the import job itself, and reading what an import kept."""

import logging
import time
from collections.abc import Iterator

from sqlalchemy import insert, select, update

from tff import locks
from tff.cases.models import Member
from tff.exports import csv_text
from tff.extensions import db
from tff.imports import staged
from tff.imports.kinds import FORMATS
from tff.imports.kinds.base import BatchFormat, Format, Row, StagedFormat, Tally, among, shown
from tff.imports.models import ImportRejection, ImportRun
from tff.imports.passes import cells_of, finished, rejection
from tff.imports.reader import FileRefused, Records, count_lines, delete_file, normalise_header, store_file
from tff.imports.scratch import Scratch
from tff.jobs.operations import JobError, start
from tff.timeutil import utcnow

#: the job kind that reads every import
JOB_KIND = "import"
#: rejections written per statement
REJECTIONS_PER_INSERT = 1000
#: seconds between progress reports while checking
PROGRESS_EVERY = 0.5
#: members whose families are read per query
MEMBERS_PER_QUERY = 10000

log = logging.getLogger(__name__)


class UnknownFormat(Exception):
    """There is no import format of that name."""


def job_title(run: ImportRun) -> str:
    fmt = FORMATS[run.kind]
    verb = "Check" if run.dry_run else "Import"
    return f"{verb} {fmt.title.lower()} from {run.filename}"[:200] + (" (dry run)" if run.dry_run else "")


def create_run(kind: str, filename: str, stream, user=None, dry_run: bool = False) -> ImportRun:
    """Record an import and store its raw file (read from a binary stream), committed."""
    if kind not in FORMATS:
        raise UnknownFormat(f"{kind!r} is not an import format; the formats are {', '.join(FORMATS)}")
    run = ImportRun(
        kind=kind, filename=filename[:255], dry_run=dry_run, started_by_id=user.id if user is not None else None
    )
    db.session.add(run)
    db.session.flush()
    run.size = store_file(run.id, stream)
    db.session.commit()
    return run


def start_import(run: ImportRun, user=None, queue: bool = True):
    """Start the job that reads the run's file: on a worker, or here and now."""
    run_id = run.id
    job = start(JOB_KIND, job_title(run), {"run_id": run_id}, user=user, queue=queue)
    link_job(run_id, job.id)
    return job


def link_job(run_id: int, job_id: int) -> None:
    db.session.execute(update(ImportRun).where(ImportRun.id == run_id).values(job_id=job_id))
    db.session.commit()


# --- the job ----------------------------------------------------------------------------------


def run_import(job, run_id: int) -> dict:
    """Read the run's file by its format's pipeline: check then apply (`BatchFormat`), or stage
    then merge (`StagedFormat`). Either way its accepted rows go in together, or none do."""
    run = db.session.get(ImportRun, run_id)
    if run is None:
        raise JobError("The import's file is no longer there, so nothing was imported.")
    if run.finished:
        raise JobError("This import has been read already; upload the file again to import it again.")
    link_job(run_id, job.id)
    fmt_class = FORMATS[run.kind]
    filename, dry_run = run.filename, run.dry_run
    with Scratch() as scratch:
        try:
            if issubclass(fmt_class, StagedFormat):
                fmt_class.sweep()
                job.progress(0, None, f"Reading {filename}", unit="rows")
                fmt, records, total = _open(run, fmt_class)
                job.progress(0, total, f"Checking {total:,} rows", unit="rows")
                counts, figures = staged.read(job, fmt, records, scratch, total)
            else:
                fmt, total = _check(job, run, fmt_class, scratch)
                counts, figures = _apply(job, fmt, scratch, total)
        except FileRefused as exc:
            _refuse(run_id, exc.message)
            raise JobError(f"The file was refused, and nothing of it was kept: {exc.message}") from None
    message = summary_message(filename, dry_run, counts, figures)
    if dry_run:
        return {"message": message, **counts, **figures}
    again = _suggest_again(job, fmt)
    if again.families or again.problem:
        message = f"{message}; {again.words()}"
    return {"message": message, **counts, **figures, **_again_figures(again)}


def _suggest_again(job, fmt: Format):
    """Once the import is committed: work out again the suggested criteria of the families
    identified and not yet attached whose members' evidence (or people) the rows wrote, in a
    transaction of its own. Its failure is said in the import's result, never undoes it."""
    from tff.identification.job import Again, suggest_again

    if not fmt.members_written and not fmt.families_written:
        return Again()
    families = set(fmt.families_written)
    members = sorted(fmt.members_written)
    try:
        for start in range(0, len(members), MEMBERS_PER_QUERY):
            query = select(Member.family_id).where(among(Member.id, members[start : start + MEMBERS_PER_QUERY]))
            families.update(db.session.scalars(query.distinct()))
    except Exception:  # noqa: BLE001 - as suggest_again: the import stays
        log.exception("the families of import %s's members could not be read", fmt.run_id)
        db.session.rollback()
        return Again(problem="the families of the members could not be read")
    job.progress(0, None, f"Working out again the suggested criteria of up to {len(families):,} families")
    return suggest_again(families, job_id=job.id)


def _again_figures(again) -> dict:
    """What the import's result keeps of it: how many families were worked out again, how many
    of them could not be, and why it failed, when it did."""
    figures = {"suggested_again": again.families, "suggested_again_left_out": len(again.left_out)}
    if again.problem:
        figures["suggested_again_problem"] = again.problem
    return figures


def _open(run: ImportRun, fmt_class: type[Format]) -> tuple[Format, Records, int]:
    """The file's format, ready to read it, its records after a header found fine, and an
    estimate of its rows for the progress bar (each line a row: a cell may hold line breaks)."""
    records = Records(run.id)
    columns = normalise_header(records.header)
    problems = fmt_class.header_problems(columns)
    if problems:
        raise FileRefused(" ".join(problems))
    return fmt_class(run, columns), records, max(count_lines(run.id) - 1, 0)


def _check(job, run: ImportRun, fmt_class: type[BatchFormat], scratch: Scratch) -> tuple[BatchFormat, int]:
    """The first pass: the file as a whole, then every row. Writes nothing but progress (and
    the rejected lines, to the scratch file). Returns the format, ready to apply, and the rows."""
    job.progress(0, None, f"Reading {run.filename}", unit="rows")
    fmt, records, total = _open(run, fmt_class)
    columns = fmt.column_order
    job.progress(0, total, f"Checking {total:,} rows", unit="rows")
    fmt.prepare()
    batch: list[tuple[Row, list[str]]] = []
    done, reported = 0, time.monotonic()

    def check(batch):
        context = fmt.lookup([row for row, _ in batch], applying=False)
        keys = [fmt.unique_keys(row, context) for row, _ in batch]
        scratch.prefetch(key for row_keys in keys for key in row_keys)
        for (row, reasons), row_keys in zip(batch, keys, strict=True):
            reasons += fmt.resolve(row, context)
            for column, value in row_keys:
                first = scratch.first(column, value, row.line)
                if first is not None:
                    reasons.append(f"{column} {shown(value)} is given earlier in the file, on line {first:,}")
            if reasons:
                scratch.reject(row.line, reasons)

    for line, cells in records:
        as_dict, reasons = cells_of(columns, cells)
        values, problems = fmt.parse(as_dict)
        batch.append((Row(line, values), reasons + problems))
        if len(batch) >= fmt.batch_size:
            check(batch)
            done += len(batch)
            batch = []
            if time.monotonic() - reported > PROGRESS_EVERY:
                job.progress(done, max(total, done), f"Checking rows: {done:,} of about {total:,}")
                reported = time.monotonic()
    if batch:
        check(batch)
        done += len(batch)
    db.session.rollback()  # end the reads: the apply starts afresh
    return fmt, done


def _refuse(run_id: int, message: str) -> None:
    """Keep the refusal on the run; keep nothing of the file."""
    db.session.rollback()
    delete_file(run_id)
    db.session.execute(update(ImportRun).where(ImportRun.id == run_id).values(refusal=message, finished_at=utcnow()))
    db.session.commit()


def _apply(job, fmt: BatchFormat, scratch: Scratch, total: int) -> tuple[dict, dict]:
    """The second pass, in one transaction: apply the accepted rows, keep the rejected ones."""
    run_id, dry_run, columns = fmt.run_id, fmt.dry_run, fmt.column_order
    verb = "Counting what would change for" if dry_run else "Saving"
    job.progress(total, total, f"{verb} {total - scratch.rejected:,} accepted rows")
    # What it checks again stays true while it applies: one import applies at a time.
    locks.write_first(
        update(ImportRun).where(ImportRun.id == run_id).values(columns=columns, rows=total), locks.IMPORTS
    )
    fmt.prepare()
    tally, rejections, n_rejected = Tally(), [], 0
    batch: list[tuple[Row, list[str]]] = []

    def reject(line, reasons, cells):
        nonlocal n_rejected
        n_rejected += 1
        rejections.append(rejection(run_id, line, reasons, columns, cells))
        if len(rejections) >= REJECTIONS_PER_INSERT:
            db.session.execute(insert(ImportRejection), rejections)
            rejections.clear()

    def apply_batch(batch):
        context = fmt.lookup([row for row, _ in batch], applying=True)
        accepted = []
        for row, cells in batch:
            reasons = fmt.resolve(row, context)
            if reasons:  # the database changed since the rows were checked
                reject(row.line, reasons, cells)
            else:
                accepted.append(row)
        tally.add(fmt.apply(accepted, context, dry_run))

    # The file again, beside its rejected lines (both in the file's order).
    rejections_found = scratch.rejections()
    next_rejected = next(rejections_found, None)
    for line, cells in Records(run_id):
        if next_rejected is not None and next_rejected[0] == line:
            reject(line, next_rejected[1], cells)
            next_rejected = next(rejections_found, None)
            continue
        values, reasons = fmt.parse(cells_of(columns, cells)[0])
        if reasons:
            reject(line, reasons, cells)
            continue
        batch.append((Row(line, values), cells))
        if len(batch) >= fmt.batch_size:
            apply_batch(batch)
            batch = []
    if batch:
        apply_batch(batch)
    if rejections:
        db.session.execute(insert(ImportRejection), rejections)
    accepted = tally.created + tally.updated + tally.unchanged
    counts = {"accepted": accepted, "rejected": n_rejected, "unmatched": tally.unmatched}
    figures = {"created": tally.created, "updated": tally.updated, "unchanged": tally.unchanged}
    # What the rows changed, field by field, kept with the counts (a dry run's too).
    kept = {**figures, "changed": fmt.changed, "changes": fmt.changes} if fmt.changed else figures
    if unconfirmed := getattr(fmt, "unconfirmed_count", 0):
        # families attached by the file although not eligible on their confirmed criteria
        kept = {**kept, "unconfirmed": unconfirmed, "unconfirmed_families": fmt.unconfirmed}
    db.session.execute(finished(run_id, counts, kept))
    db.session.commit()
    return counts, figures


def summary_message(filename: str, dry_run: bool, counts: dict, figures: dict) -> str:
    line = summary_line(counts)
    what = f"{figures['created']:,} new, {figures['updated']:,} changed, {figures['unchanged']:,} unchanged"
    if dry_run:
        return f"Checked {filename} (dry run, nothing was changed): {line}; the accepted rows would be {what}"
    return f"Imported {filename}: {line} ({what})"


def summary_line(counts: dict) -> str:
    """The command's one line of output, as the command-line contract fixes it."""
    return f"accepted {counts['accepted']}, rejected {counts['rejected']}, unmatched {counts['unmatched']}"


# --- reading what an import kept -------------------------------------------------------------


def runs_query():
    """Every import run, newest first (coordinators and administrators see them all)."""
    return select(ImportRun).order_by(ImportRun.id.desc())


def rejections_query(run_id: int):
    return select(ImportRejection).where(ImportRejection.run_id == run_id).order_by(ImportRejection.line)


def rejection_report(run: ImportRun) -> Iterator[str]:
    """The rejected rows as CSV text, a few rows at a time: line, reasons, then the row's columns."""
    columns = list(run.columns or [])

    def rows():
        yield ["line", "reasons", *columns]
        for kept in db.session.scalars(rejections_query(run.id).execution_options(yield_per=500)):
            extra = [k for k in kept.row if k not in columns]
            yield [
                kept.line,
                "; ".join(kept.reasons),
                *(kept.row.get(c, "") for c in columns),
                *(kept.row[k] for k in extra),
            ]

    return csv_text(rows())
