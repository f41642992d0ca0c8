"""The raw file: stored in chunks, read back as a stream of CSV records.

Nothing here holds the whole file: it is written in `CHUNK_SIZE` pieces and read back one
line at a time, so memory stays flat whatever the file's size. The checks of the file as a
whole (UTF-8, no NUL byte, a header, no quoted cell left open, no cell the csv module cannot
hold) raise `FileRefused` with a message that names the problem and its line.
"""

import csv
import io
from collections.abc import Iterator

from sqlalchemy import delete, insert, select

from tff.extensions import db
from tff.imports.models import ImportFileChunk

#: bytes per stored chunk of a raw file
CHUNK_SIZE = 1024 * 1024
#: the longest physical line read (a row of long cells still fits well inside it)
MAX_LINE = 8 * 1024 * 1024
BOM = b"\xef\xbb\xbf"
#: the most physical lines one row may run over, through line breaks in its quoted cells. An
#: address or an event's detail holds a few; a row running on past this many is a quote never
#: closed, which would swallow the rows after it into one cell, so the file is refused with the
#: line the quote opened on rather than read with those rows lost.
MAX_ROW_LINES = 100
#: the fewest commas that make a line inside a quoted cell read as a row of the file (with at
#: least as many as the header has, less one): free text has a comma or two to a line, not this
ROW_COMMAS = 4


class FileRefused(Exception):
    """The file cannot be read as a CSV file of its format: it is refused whole."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def store_file(run_id: int, stream) -> int:
    """Copy a binary stream into the run's chunks (in the caller's transaction); returns its size."""
    size = 0
    seq = 0
    while True:
        data = stream.read(CHUNK_SIZE)
        if not data:
            return size
        db.session.execute(insert(ImportFileChunk), [{"run_id": run_id, "seq": seq, "data": data}])
        size += len(data)
        seq += 1


def delete_file(run_id: int) -> None:
    db.session.execute(delete(ImportFileChunk).where(ImportFileChunk.run_id == run_id))


def chunks(run_id: int) -> Iterator[bytes]:
    """The raw file's bytes, one chunk at a time (one query each: flat memory)."""
    seq = 0
    while True:
        data = db.session.scalar(
            select(ImportFileChunk.data).where(ImportFileChunk.run_id == run_id, ImportFileChunk.seq == seq)
        )
        if data is None:
            return
        yield bytes(data)
        seq += 1


def count_lines(run_id: int) -> int:
    """Lines in the file (fast: no decoding). Rows are fewer when cells hold line breaks."""
    lines, last = 0, b"\n"
    for data in chunks(run_id):
        lines += data.count(b"\n")
        last = data[-1:]
    return lines + (last != b"\n")


class _ChunkStream(io.RawIOBase):
    """The stored chunks as a readable binary file."""

    def __init__(self, run_id: int):
        self._chunks = chunks(run_id)
        self._buffer = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer:
            data = next(self._chunks, None)
            if data is None:
                return 0
            self._buffer = memoryview(data)
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


class _Lines:
    """Physical lines, decoded as UTF-8 one at a time so an error names its line, as the csv
    module asks for them while it reads one record after another.

    A line is cut at b"\\n" only, which never falls inside a UTF-8 character; its ending
    (\\n or \\r\\n) is kept for the csv module, as `open(..., newline="")` would.

    It keeps the lines of the record being read (`begin` starts a record), so that a quoted
    cell that never closes is caught here, with the line it opened on: the csv module itself
    would read the rest of the file into that cell and say nothing at the end of the file.
    """

    def __init__(self, binary):
        self._binary = binary
        #: the number of the last line read
        self.number = 0
        #: the lines of the record being read, and the number of its first
        self.record: list[str] = []
        self.started = 0

    def begin(self) -> None:
        """The csv module is about to read a new record."""
        self.record.clear()
        self.started = self.number + 1

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if len(self.record) >= MAX_ROW_LINES:
            # Asked for one line more: the record is still open after all those lines.
            opened = _quote_opened(self.record, self.started) or self.started
            raise FileRefused(
                f"Line {opened:,} opens a quoted cell that is still open at line {self.number:,}, its row running "
                f"over more than {MAX_ROW_LINES} lines: a cell holds a few lines at most, so the quote is surely "
                "never closed, and the rows after it would be read into that one cell. Close the quote, or remove "
                "it, and import the file again."
            )
        raw = self._binary.readline(MAX_LINE)
        if not raw:
            if self.record:  # the file ends inside the record: inside a quoted cell
                opened = _quote_opened(self.record, self.started) or self.started
                raise FileRefused(
                    f"Line {opened:,} opens a quoted cell that is never closed: the rest of the file would be read "
                    "into that one cell. Close the quote, or remove it, and import the file again."
                )
            raise StopIteration
        self.number += 1
        number = self.number
        if number == 1 and raw.startswith(BOM):
            raw = raw[len(BOM) :]
            if not raw:
                raise StopIteration  # a byte-order mark and nothing else
        if len(raw) == MAX_LINE and not raw.endswith(b"\n"):
            raise FileRefused(
                f"Line {number:,} is longer than {MAX_LINE // (1024 * 1024)} MiB: "
                "the file is not a CSV file of rows, or a quote is never closed."
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FileRefused(
                f"The file is not UTF-8 text: line {number:,} has bytes that cannot be read as UTF-8 "
                f"(at byte {exc.start + 1} of the line). Save it as “CSV UTF-8” and import it again."
            ) from None
        if "\x00" in text:
            raise FileRefused(
                f"Line {number:,} holds a NUL byte (\\x00): the file is not plain text (it may be a spreadsheet "
                "or a database's own file, or text saved as UTF-16). Save it as “CSV UTF-8” and import it again."
            )
        self.record.append(text)
        return text


def _quote_opened(lines: list[str], first: int) -> int | None:
    """The line on which the quoted cell still open at the end of `lines` opened (`first` is
    the number of the first of them); None when no quoted cell is open.

    It reads as the csv module reads (a quote opens a quoted cell only at a cell's start, and
    two quotes inside one stand for a quote), one character at a time: it is only called for a
    record that is refused, never for the rows of a file that is read.
    """
    opened, state = None, "start"  # start of a cell, in a "plain" or a "quoted" cell, or a "quote" in one
    for number, text in enumerate(lines, start=first):
        for char in text:
            if state == "quoted":
                if char == '"':
                    state = "quote"
            elif state == "quote":
                state = "quoted" if char == '"' else "start" if char in ",\r\n" else "plain"
            elif state == "start":
                if char == '"':
                    state, opened = "quoted", number
                elif char not in ",\r\n":
                    state = "plain"
            elif char in ",\r\n":
                state = "start"
    return opened if state == "quoted" else None


class Doubted(list):
    """A record's cells, and `reasons` to reject it however its cells read."""

    reasons: list[str]


def _swallowed(cells: list[str], start: int, end: int, columns: int) -> list[str]:
    """The cells of a row running from line `start` to `end`, as `Doubted` when a line inside one
    of its quoted cells reads as a row of its own: a quote left open, then closed by a quote on a
    later row, takes the rows between into one cell, and they would be lost without a word."""
    least = max(columns - 1, ROW_COMMAS)
    line = start
    for cell in cells:
        parts = cell.split("\n")
        for offset, part in enumerate(parts[1:], start=1):
            if part.count(",") >= least:
                doubted = Doubted(cells)
                doubted.reasons = [
                    f"the quoted cell opened on line {line:,} runs on to line {end:,}, and its line {line + offset:,} "
                    "reads as a row of its own: a closing quote is likely missing, so the rows on those lines were "
                    "read into this cell; close the quote and import them again"
                ]
                return doubted
        line += len(parts) - 1
    return cells


class Records:
    """The file's CSV records after the header, each with the line where it starts.

    `header` is the first record (raw cells). Blank lines, and lines of empty cells only,
    are no rows and are skipped.
    """

    def __init__(self, run_id: int):
        self._binary = io.BufferedReader(_ChunkStream(run_id), CHUNK_SIZE)
        self._lines = _Lines(self._binary)
        self._reader = csv.reader(self._lines)
        first = self._next()
        if first is None:
            raise FileRefused("The file is empty: it has no header row.")
        if not first:
            raise FileRefused("The file has no header: its first line is empty.")
        self.header: list[str] = first

    def _next(self) -> list[str] | None:
        self._lines.begin()
        try:
            return next(self._reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            line = self._reader.line_num
            opened = _quote_opened(self._lines.record, self._lines.started)
            if "field larger than field limit" in str(exc) and opened is not None:
                raise FileRefused(
                    f"Line {opened:,} opens a quoted cell that is still open at line {line:,}, longer than "
                    f"{csv.field_size_limit():,} characters: the quote is surely never closed, and the rows after it "
                    "would be read into that one cell. Close the quote, or remove it, and import the file again."
                ) from None
            if "field larger than field limit" in str(exc):
                raise FileRefused(
                    f"A cell starting on or before line {line:,} is longer than {csv.field_size_limit():,} characters: "
                    "a quote may be missing its closing quote."
                ) from None
            raise FileRefused(f"The file cannot be read as CSV at line {line:,}: {exc}.") from None

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        while True:
            start = self._reader.line_num + 1
            cells = self._next()
            if cells is None:
                return
            if not (cells and cells[0].strip()) and not any(cell.strip() for cell in cells):
                continue  # a blank line, or one of empty cells (as spreadsheets leave): no row
            if self._reader.line_num > start:  # a row over several lines (rare): were rows read into it?
                cells = _swallowed(cells, start, self._reader.line_num, len(self.header))
            yield start, cells

    def close(self) -> None:
        self._binary.close()


def normalise_header(header: list[str]) -> list[str]:
    """Column names as compared: lower case, without surrounding spaces."""
    return [name.strip().lower() for name in header]


def header_problems(columns: list[str], required: list[str], optional: list[str], kind: str) -> list[str]:
    """What is wrong with a normalised header for a format, as sentences; empty when it is fine."""
    problems = []
    known = [*required, *optional]
    blank = [str(i) for i, name in enumerate(columns, start=1) if not name]
    if blank:
        problems.append(f"Column {', '.join(blank)} of the header {'has' if len(blank) == 1 else 'have'} no name.")
    seen, twice = set(), []
    for name in columns:
        if name and name in seen and name not in twice:
            twice.append(name)
        seen.add(name)
    if twice:
        problems.append(
            f"The header names the column{'s' if len(twice) > 1 else ''} {', '.join(twice)} more than once."
        )
    missing = [name for name in required if name not in seen]
    if missing:
        problems.append(
            f"The file has no {_words(missing)} column{'s' if len(missing) > 1 else ''}, which a {kind} file must have."
        )
    unknown = [name for name in dict.fromkeys(columns) if name and name not in known]
    if unknown:
        problems.append(
            f"The file has {'a column' if len(unknown) == 1 else 'columns'} that the {kind} format does not have: "
            f"{', '.join(unknown)}. Its columns are {', '.join(known)}."
        )
    return problems


def _words(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
