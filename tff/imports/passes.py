"""What both import pipelines share as they read a file's rows: a row's cells, the raw row kept
for the rejection list, and the run's counts at the end."""

from sqlalchemy import update

from tff.imports.models import ImportRun
from tff.timeutil import utcnow


def cells_of(columns: list[str], cells: list[str]) -> tuple[dict, list[str]]:
    """The row as column -> cell without surrounding spaces (missing cells empty), and its
    problems of shape, if any (as the reader's `Doubted` cells say, too)."""
    doubts = list(getattr(cells, "reasons", ()))
    if len(cells) == len(columns):  # (nearly every row: kept fast)
        return dict(zip(columns, map(str.strip, cells), strict=True)), doubts
    reasons = [f"the row has {len(cells)} cells, but the header has {len(columns)} columns", *doubts]
    cells = cells + [""] * (len(columns) - len(cells))
    return {column: cell.strip() for column, cell in zip(columns, cells, strict=False)}, reasons


def raw_row(columns: list[str], cells: list[str]) -> dict:
    """The row as it was in the file, for the rejection list: extra cells kept too."""
    row = dict(zip(columns, cells, strict=False))
    for i, cell in enumerate(cells[len(columns) :], start=1):
        row[f"(extra cell {i})"] = cell
    return row


def rejection(run_id: int, line: int, reasons: list[str], columns: list[str], cells: list[str]) -> dict:
    """A rejected row, as a row for a bulk insert of `ImportRejection`."""
    return {"run_id": run_id, "line": line, "reasons": reasons, "row": raw_row(columns, cells)}


def finished(run_id: int, counts: dict, figures: dict):
    """The statement that records what the import did, and that it is finished."""
    return (
        update(ImportRun)
        .where(ImportRun.id == run_id)
        .values(**counts, tally=figures, finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )
