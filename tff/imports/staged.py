"""The pipeline of the evidence formats (`StagedFormat`): stage, then merge.

1. Staging reads the file once. Each row is parsed; a rejected row's line and reasons go to
   the scratch file, an accepted row to the format's staging table, committed a batch at a
   time, so progress and the heartbeat keep being written (even on SQLite) and memory stays
   flat. Then the staged rows that repeat an earlier line's key are rejected too.
2. Merging is one transaction of set-based statements: match the staged rows to members,
   turn the matched ones into evidence, and unstage them. Only when rows were rejected or
   need a person's decision is the file read again, for those lines alone.

A job that dies leaves staged rows and no evidence: the next import sweeps them away.
"""

import time

from sqlalchemy import insert, update

from tff import locks
from tff.extensions import db
from tff.imports.kinds.base import CELLS, Row, StagedFormat, Tally
from tff.imports.models import ImportRejection, ImportRun
from tff.imports.passes import cells_of, finished, rejection
from tff.imports.reader import Records
from tff.imports.scratch import Scratch

#: seconds between progress reports while staging
PROGRESS_EVERY = 0.5
#: rejections or held rows written per statement
ROWS_PER_INSERT = 1000


def read(job, fmt: StagedFormat, records: Records, scratch: Scratch, total: int) -> tuple[dict, dict]:
    """Stage, then merge, the run's file; returns (counts, figures) as the run records them.
    Whatever happens, nothing of the run stays staged."""
    try:
        rows = _stage(job, fmt, records, scratch, total)
        return _merge(job, fmt, scratch, rows)
    except BaseException:
        db.session.rollback()
        fmt.unstage()
        db.session.commit()
        raise


def _stage(job, fmt: StagedFormat, records: Records, scratch: Scratch, total: int) -> int:
    columns, parse, reject = fmt.column_order, fmt.parse, scratch.reject
    batch: list[tuple[int, dict]] = []
    done, reported = 0, time.monotonic()
    for line, cells in records:
        done += 1
        as_dict, reasons = cells_of(columns, cells)
        values, problems = parse(as_dict)
        if reasons or problems:
            reject(line, reasons + problems)
            continue
        batch.append((line, values))
        if len(batch) >= fmt.batch_size:
            fmt.stage(batch)
            db.session.commit()
            batch = []
            if time.monotonic() - reported > PROGRESS_EVERY:
                job.progress(done, max(total, done), f"Checking rows: {done:,} of about {total:,}")
                reported = time.monotonic()
    fmt.stage(batch)
    fmt.analyse()
    for line, reason in fmt.repeats():
        reject(line, [reason])
    db.session.commit()
    return done


def _merge(job, fmt: StagedFormat, scratch: Scratch, rows: int) -> tuple[dict, dict]:
    job.progress(rows, rows, f"Saving {rows - scratch.rejected:,} accepted rows")
    # What it compares with stays true while it merges: one import merges at a time.
    values = {"columns": fmt.column_order, "rows": rows}
    locks.write_first(update(ImportRun).where(ImportRun.id == fmt.run_id).values(**values), locks.IMPORTS)
    tally: Tally = fmt.merge()
    held = fmt.held_lines()
    tally.unmatched = len(held)
    if fmt.dry_run:
        # Counted, not kept: the merge is undone; the rejections are kept all the same.
        db.session.rollback()
        db.session.execute(update(ImportRun).where(ImportRun.id == fmt.run_id).values(**values))
        held = {}
    if scratch.rejected or held:
        _read_again(fmt, scratch, held)
    fmt.unstage()
    counts = {"accepted": tally.created + tally.updated + tally.unchanged, "rejected": scratch.rejected}
    counts["unmatched"] = tally.unmatched
    figures = {"created": tally.created, "updated": tally.updated, "unchanged": tally.unchanged}
    db.session.execute(finished(fmt.run_id, counts, figures))
    db.session.commit()
    return counts, figures


def _read_again(fmt: StagedFormat, scratch: Scratch, held: dict[int, str]) -> None:
    """Read the file again for its rejected lines (kept with their cells) and its held lines
    (parsed again, and held): both lists are in the file's order, as the file is."""
    columns = fmt.column_order
    rejected = scratch.rejections()
    next_rejected = next(rejected, None)
    waiting = sorted(held)
    at = 0
    rejections: list[dict] = []
    holding: list[Row] = []
    for line, cells in Records(fmt.run_id):
        if next_rejected is None and at == len(waiting):
            break
        if next_rejected is not None and next_rejected[0] == line:
            rejections.append(rejection(fmt.run_id, line, next_rejected[1], columns, cells))
            next_rejected = next(rejected, None)
            if len(rejections) >= ROWS_PER_INSERT:
                db.session.execute(insert(ImportRejection), rejections)
                rejections = []
        elif at < len(waiting) and waiting[at] == line:
            at += 1
            as_dict, _ = cells_of(columns, cells)
            values, _ = fmt.parse(as_dict)
            values[CELLS] = as_dict
            holding.append(Row(line, values))
            if len(holding) >= fmt.batch_size:
                fmt.hold(holding, held)
                holding = []
    if rejections:
        db.session.execute(insert(ImportRejection), rejections)
    fmt.hold(holding, held)
