"""CSV files people download and open in spreadsheets: written a few rows at a time (flat
memory for any size), with every cell a spreadsheet would run as a formula made plain text."""

import csv
import io
from collections.abc import Iterable, Iterator

#: characters that make a spreadsheet read a cell as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: rows written between the pieces handed on
ROWS_PER_PIECE = 500


def neutralise(cell) -> str:
    """A cell that a spreadsheet would run as a formula, made plain text with a leading quote."""
    cell = "" if cell is None else str(cell)
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def csv_text(rows: Iterable[Iterable]) -> Iterator[str]:
    """The rows as CSV text, every cell neutralised, in pieces of a few hundred rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for n, row in enumerate(rows, start=1):
        writer.writerow([neutralise(cell) for cell in row])
        if n % ROWS_PER_PIECE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
