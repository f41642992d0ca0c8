"""Where an evidence import puts its accepted rows before they become evidence.

The first pass of an evidence import writes each accepted row, parsed and matched to its
member, to its format's staging table, in committed batches: the job's progress and heartbeat
keep writing between them, even on SQLite, and memory stays flat. The second pass is a
handful of set-based statements in one transaction (the format's `merge`) that turn the
staged rows into evidence; the staged rows go in the same transaction. A job that dies leaves
staged rows and no evidence; `sweep` clears them.
"""

from datetime import date

from sqlalchemy import Index, String, delete, select, text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from tff.extensions import db
from tff.imports.models import ImportRun
from tff.jobs.models import QUEUED, RUNNING, Job

#: the columns every staged row starts with, in this order
IDENTITY_COLUMNS = ("person_ref", "upn", "nino", "first_key", "last_key", "date_of_birth", "member_id", "why")


class StagedIdentity:
    """A staged row's place in its file, who it names, and who it was matched to (when it was
    staged: a member changed meanwhile is taken as the file found them)."""

    # No primary key in the table: every statement reads the rows by an index that starts with
    # the run, and a row staged costs one index entry fewer. The mapper still needs one.
    run_id: Mapped[int]
    line: Mapped[int]

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"primary_key": (cls.__table__.c.run_id, cls.__table__.c.line)}

    person_ref: Mapped[str | None] = mapped_column(String(40))
    upn: Mapped[str | None] = mapped_column(String(13))
    nino: Mapped[str | None] = mapped_column(String(9))
    #: the names as matching compares them (`name_key`); None when not given
    first_key: Mapped[str | None] = mapped_column(String(100))
    last_key: Mapped[str | None] = mapped_column(String(100))
    date_of_birth: Mapped[date | None]
    #: the member the row is about; None when unmatched, and then `why`
    member_id: Mapped[int | None]
    why: Mapped[str | None] = mapped_column(String(20))


class StagedEvent(StagedIdentity, db.Model):
    __tablename__ = "staged_events"
    __table_args__ = (
        Index("ix_staged_events_reference", "run_id", "source", "reference", "line"),
        # a row's key, then its line: "the same event on an earlier line" is one index range
        Index("ix_staged_events_member", "run_id", "member_id", "date", "kind", "detail", "line"),
    )

    kind: Mapped[str] = mapped_column(String(40))
    date: Mapped[date]
    reference: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(String)


class StagedSpell(StagedIdentity, db.Model):
    __tablename__ = "staged_spells"
    __table_args__ = (
        Index("ix_staged_spells_reference", "run_id", "source", "reference", "line"),
        Index("ix_staged_spells_member", "run_id", "member_id", "kind", "detail", "start_date", "line"),
    )

    kind: Mapped[str] = mapped_column(String(40))
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    detail: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(40))


class StagedAttendance(StagedIdentity, db.Model):
    __tablename__ = "staged_attendance"
    __table_args__ = (
        Index("ix_staged_attendance_member", "run_id", "member_id", "academic_year", "term", "school", "line"),
    )

    academic_year: Mapped[str] = mapped_column(String(7))
    term: Mapped[str] = mapped_column(String(10))
    school: Mapped[str] = mapped_column(String(200))
    possible: Mapped[int]
    authorised: Mapped[int | None]
    unauthorised: Mapped[int]


STAGED = (StagedEvent, StagedSpell, StagedAttendance)


def insert_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Stage many rows at once, in the session's transaction: PostgreSQL's COPY, or one
    executemany on SQLite (both well clear of the ORM's per-row cost)."""
    if not rows:
        return
    connection = db.session.connection()
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {model.__tablename__} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    connection.exec_driver_sql(f"INSERT INTO {model.__tablename__} ({names}) VALUES ({marks})", rows)  # noqa: S608 - model columns, values bound  # nosec B608


def analyse(model) -> None:
    """PostgreSQL plans by the statistics of a table, which a fresh batch of staged rows has
    not got: without them it takes thousands of rows for a few and joins them row by row.
    (SQLite's plans follow the indexes, which fit each statement.)"""
    if db.session.connection().dialect.name == "postgresql":
        # A small sample is enough to tell thousands of rows from a few (and is much quicker).
        db.session.execute(text("SET LOCAL default_statistics_target = 10"))
        db.session.execute(text(f"ANALYZE {model.__tablename__}"))


def roomy() -> None:
    """A merge sorts and hashes a whole file's rows: on PostgreSQL, the memory to do so without
    spilling to disk, for the rest of the transaction."""
    if db.session.connection().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL work_mem = '64MB'"))


def clear(model, run_id: int) -> None:
    db.session.execute(delete(model).where(model.run_id == run_id))


def sweep() -> None:
    """Clear the staged rows of every import that is no longer being read (its job died or
    failed), in a transaction of its own."""
    live = (
        select(ImportRun.id)
        .join(Job, Job.id == ImportRun.job_id)
        .where(Job.state.in_((QUEUED, RUNNING)), ImportRun.finished_at.is_(None))
    )
    for model in STAGED:
        db.session.execute(delete(model).where(model.run_id.not_in(live)))
    db.session.commit()
