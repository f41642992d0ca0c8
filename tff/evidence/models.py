"""Events, spells and attendance of members, and unmatched evidence rows."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tff.evidence.kinds import OPEN
from tff.extensions import db
from tff.timeutil import utcnow

#: stored for "not given", so that a unique constraint over the column holds (NULLs never clash)
NONE = ""


class Event(db.Model):
    """Something that happened to a member on a day (an offence, an exclusion, ...)."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_member_date", "member_id", "date"),
        Index("ix_events_member_kind_date", "member_id", "kind", "date"),
        # where a reference is given, (source, reference) is unique (source "" when not given)
        Index(
            "uq_events_source_reference",
            "source",
            "reference",
            unique=True,
            sqlite_where=db.text("reference IS NOT NULL"),
            postgresql_where=db.text("reference IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[str] = mapped_column(String(40))
    date: Mapped[date]
    #: the source system's own id for the record; None when not given
    reference: Mapped[str | None] = mapped_column(String(100))
    #: e.g. police, school; "" when not given
    source: Mapped[str] = mapped_column(String(40), default=NONE)
    #: free text; "" when not given
    detail: Mapped[str] = mapped_column(Text, default=NONE)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id"))
    #: who entered it by hand (source "manual"); None when imported
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member = relationship("Member")
    entered_by = relationship("User")


class Spell(db.Model):
    """A state a member was in from one date to another (a benefit, a plan, employment)."""

    __tablename__ = "spells"
    __table_args__ = (
        Index("ix_spells_member_start", "member_id", "start_date"),
        Index(
            "uq_spells_source_reference",
            "source",
            "reference",
            unique=True,
            sqlite_where=db.text("reference IS NOT NULL"),
            postgresql_where=db.text("reference IS NOT NULL"),
        ),
        Index(
            "uq_spells_member_kind_detail_start",
            "member_id",
            "kind",
            "detail",
            "start_date",
            unique=True,
            sqlite_where=db.text("reference IS NULL"),
            postgresql_where=db.text("reference IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[str] = mapped_column(String(40))
    start_date: Mapped[date]
    #: None while the spell is still open
    end_date: Mapped[date | None]
    #: for benefit, the benefit code; "" when not given
    detail: Mapped[str] = mapped_column(String(200), default=NONE)
    reference: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(40), default=NONE)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id"))
    #: who entered it by hand (source "manual"); None when imported
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member = relationship("Member")
    entered_by = relationship("User")


class AttendanceRecord(db.Model):
    """A pupil's sessions in one school term, as in the termly census."""

    __tablename__ = "attendance_records"
    __table_args__ = (UniqueConstraint("member_id", "academic_year", "term", "school"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    #: like 2012/13
    academic_year: Mapped[str] = mapped_column(String(7))
    #: autumn, spring or summer
    term: Mapped[str] = mapped_column(String(10))
    #: school name or URN; "" when not given
    school: Mapped[str] = mapped_column(String(200), default=NONE)
    possible: Mapped[int]
    authorised: Mapped[int | None]
    unauthorised: Mapped[int]
    run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member = relationship("Member")


class UnmatchedRow(db.Model):
    """An evidence row no single member could be matched to, held for a person to attach to a
    member or dismiss with a reason."""

    __tablename__ = "unmatched_rows"
    __table_args__ = (
        Index("ix_unmatched_rows_state_id", "state", "id"),
        Index("ix_unmatched_rows_run_id_line", "run_id", "line"),
        # the queue filtered to an import, by state, oldest first; an import's counts by state
        Index("ix_unmatched_rows_run_id_state_id", "run_id", "state", "id"),
        Index("ix_unmatched_rows_fingerprint", "fingerprint"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("import_runs.id"))
    #: the format: events, spells or attendance
    kind: Mapped[str] = mapped_column(String(20))
    line: Mapped[int]
    #: the row as read: column -> cell
    row: Mapped[dict] = mapped_column(JSON)
    #: a hash of kind and cells: the same row imported again is not held again
    fingerprint: Mapped[str] = mapped_column(String(64))
    #: no_match or ambiguous
    why: Mapped[str] = mapped_column(String(20))
    #: when ambiguous: the person_refs it could be
    candidates: Mapped[list] = mapped_column(JSON, default=list)
    #: close matches offered, never applied: [{"person_ref", "name", "date_of_birth", "score", "why"}]
    suggestions: Mapped[list] = mapped_column(JSON, default=list)
    #: open, attached or dismissed
    state: Mapped[str] = mapped_column(String(20), default=OPEN)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]
    dismissal_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    run = relationship("ImportRun")
    member = relationship("Member")
    resolved_by = relationship("User")
