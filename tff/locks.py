"""One writer at a time for work that must not interleave (applying an import, writing a
claim's lines), on either database."""

from sqlalchemy import text

from tff.extensions import db

#: PostgreSQL advisory lock keys ("tffi", "tffc" in ASCII)
IMPORTS = 0x74666669
CLAIMS = 0x74666663


def write_first(statement, key: int):
    """Run `statement` (a write) as the transaction's first, and return its result: from it on,
    the transaction holds SQLite's one write lock, and on PostgreSQL the advisory lock `key`,
    so work of the same kind waits until this transaction ends and what it read stays true."""
    result = db.session.execute(statement)
    if db.session.connection().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    return result
