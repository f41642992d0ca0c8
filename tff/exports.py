"""CSV files people download and open in spreadsheets: written a few rows at a time (flat
memory for any size), with every text cell a spreadsheet would run as a formula made plain
text. Numbers are written as numbers: a negative amount is a figure to add up, not a formula,
and a quote in front of it would make it text."""

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

#: characters that make a spreadsheet read a cell as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: rows written between the pieces handed on
ROWS_PER_PIECE = 500


def neutralise(cell):
    """A number as it is; any other cell as text, made plain with a leading quote when a
    spreadsheet would run it as a formula."""
    if isinstance(cell, (int, float, Decimal)) and not isinstance(cell, bool):
        return cell
    cell = "" if cell is None else str(cell)
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def csv_text(rows: Iterable[Iterable]) -> Iterator[str]:
    """The rows as CSV text, every text cell neutralised, in pieces of a few hundred rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for n, row in enumerate(rows, start=1):
        writer.writerow([neutralise(cell) for cell in row])
        if n % ROWS_PER_PIECE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
