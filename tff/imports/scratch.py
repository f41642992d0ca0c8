"""What the import job remembers between rows and passes, kept on local disk.

The keys met earlier in the file (a reference or a UPN given twice) and the rejected lines
with their reasons: held in memory, they would make memory grow with the file (some 200
bytes a row); a throwaway SQLite file beside the job keeps it flat. Keys are looked up and
remembered a batch at a time; rejections are read back in the file's order.
"""

import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator

#: keys asked about in one statement (well inside SQLite's limit on parameters)
KEYS_PER_QUERY = 900
#: rejections written to the scratch file at once
REJECTIONS_PER_WRITE = 1000


class Scratch:
    def __init__(self):
        self._folder = tempfile.TemporaryDirectory(prefix="tff-import-")
        self._db = sqlite3.connect(os.path.join(self._folder.name, "scratch.sqlite3"), isolation_level=None)
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("CREATE TABLE seen (kind TEXT, key TEXT, line INTEGER, PRIMARY KEY (kind, key)) WITHOUT ROWID")
        self._db.execute("CREATE TABLE rejected (line INTEGER PRIMARY KEY, reasons TEXT)")
        #: keys of earlier batches asked about for this batch, and keys first met in it
        self._earlier: dict[tuple[str, str], int] = {}
        self._new: dict[tuple[str, str], int] = {}
        self._rejected: list[tuple[int, str]] = []
        self.rejected = 0

    # --- keys given earlier in the file ------------------------------------------------------

    def prefetch(self, keys: Iterable[tuple[str, str]]) -> None:
        """Look up, in a few queries, the (kind, key)s the next batch will ask `first` about."""
        self._flush_keys()
        self._earlier = {}
        by_kind: dict[str, list[str]] = {}
        for kind, key in set(keys):
            by_kind.setdefault(kind, []).append(key)
        for kind, values in by_kind.items():
            for i in range(0, len(values), KEYS_PER_QUERY):
                part = values[i : i + KEYS_PER_QUERY]
                marks = ",".join("?" * len(part))
                query = f"SELECT key, line FROM seen WHERE kind = ? AND key IN ({marks})"  # noqa: S608 - only ?s  # nosec B608
                for key, line in self._db.execute(query, [kind, *part]):
                    self._earlier[kind, key] = line

    def first(self, kind: str, key: str, line: int) -> int | None:
        """The line the key was first met on; None (and it is remembered) when this is the first."""
        earlier = self._earlier.get((kind, key)) or self._new.get((kind, key))
        if earlier is not None:
            return earlier
        self._new[kind, key] = line
        return None

    def _flush_keys(self) -> None:
        if self._new:
            self._write(
                "INSERT INTO seen (kind, key, line) VALUES (?, ?, ?)",
                [(kind, key, line) for (kind, key), line in self._new.items()],
            )
            self._new = {}

    # --- rejected lines ----------------------------------------------------------------------

    def reject(self, line: int, reasons: list[str]) -> None:
        self.rejected += 1
        self._rejected.append((line, json.dumps(reasons)))
        if len(self._rejected) >= REJECTIONS_PER_WRITE:
            self._flush_rejected()

    def _flush_rejected(self) -> None:
        if self._rejected:
            self._write("INSERT INTO rejected (line, reasons) VALUES (?, ?)", self._rejected)
            self._rejected = []

    def rejections(self) -> Iterator[tuple[int, list[str]]]:
        """(line, reasons) of every rejected line, in the file's order."""
        self._flush_rejected()
        for line, reasons in self._db.execute("SELECT line, reasons FROM rejected ORDER BY line"):
            yield line, json.loads(reasons)

    # --- the file ----------------------------------------------------------------------------

    def _write(self, statement: str, rows: list[tuple]) -> None:
        self._db.execute("BEGIN")  # one transaction for many rows, not one each
        self._db.executemany(statement, rows)
        self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()
        self._folder.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
