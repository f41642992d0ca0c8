from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tff.extensions import db
from tff.timeutil import utcnow


class ImportRun(db.Model):
    """One file imported (or checked, in a dry run): who, what, and how it went."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the format, a key of `tff.imports.kinds.FORMATS`, e.g. `families`
    kind: Mapped[str] = mapped_column(String(20))
    #: the file's name as it was uploaded or given on the command line
    filename: Mapped[str] = mapped_column(String(255))
    #: bytes
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    #: checked only: every check made and the rejections kept, no family data changed
    dry_run: Mapped[bool] = mapped_column(default=False)
    #: empty when started from the command line
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the job that reads it
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), index=True)
    #: the header as read (names in lower case), in the file's order
    columns: Mapped[list | None] = mapped_column(JSON)
    #: data rows in the file; rows accepted, rejected and held as unmatched
    rows: Mapped[int | None]
    accepted: Mapped[int | None]
    rejected: Mapped[int | None]
    unmatched: Mapped[int | None]
    #: what the accepted rows did: {"created": n, "updated": n, "unchanged": n}, and for
    #: families and members what they changed in the records held already: "changed" (how
    #: many) and "changes" (the first of them, each {"ref", "fields": [[field, before, after]]})
    tally: Mapped[dict | None] = mapped_column(JSON)
    #: why the file was refused whole (then nothing of it is kept)
    refusal: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    started_by = relationship("User", lazy="joined")
    job = relationship("Job", lazy="joined")

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    @property
    def changed(self) -> int:
        """Records held already that the accepted rows changed (or would, in a dry run)."""
        return (self.tally or {}).get("changed", 0)

    @property
    def changes(self) -> list[dict]:
        """The first of those changes, each {"ref", "fields": [[field, before, after], ...]}."""
        return (self.tally or {}).get("changes") or []

    @property
    def unconfirmed(self) -> int:
        """Families the rows attached (or would) that are not eligible on their confirmed criteria."""
        return (self.tally or {}).get("unconfirmed", 0)

    @property
    def unconfirmed_families(self) -> list[tuple[str, str]]:
        """The first of them, each (reference, why)."""
        return [tuple(pair) for pair in (self.tally or {}).get("unconfirmed_families") or []]

    @property
    def state(self) -> str:
        """queued, running, succeeded, failed (as its job), or refused."""
        if self.refusal:
            return "refused"
        if self.finished:
            return "succeeded"
        return self.job.state if self.job else "queued"


class ImportFileChunk(db.Model):
    """A piece of an import's raw file, in order: `seq` 0, 1, 2, ..."""

    __tablename__ = "import_file_chunks"
    __table_args__ = (UniqueConstraint("run_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("import_runs.id"))
    seq: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ImportRejection(db.Model):
    """A row of the file that was not imported, with every reason, kept to be corrected."""

    __tablename__ = "import_rejections"
    __table_args__ = (Index("ix_import_rejections_run_id_line", "run_id", "line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("import_runs.id"))
    #: the line of the file where the row starts (the header is line 1)
    line: Mapped[int]
    #: every reason, in words for the person who corrects the file
    reasons: Mapped[list] = mapped_column(JSON)
    #: the row as it was in the file: column name -> cell
    row: Mapped[dict] = mapped_column(JSON)
