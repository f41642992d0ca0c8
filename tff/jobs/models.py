from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tff.extensions import db
from tff.timeutil import utcnow

QUEUED = "queued"
RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
FINISHED = (SUCCEEDED, FAILED)
#: a job queued this long with no worker taking it is shown as waiting for one
WAITING_AFTER_SECONDS = 30


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: what the job does, e.g. `demo.load`; names the task that runs it
    kind: Mapped[str] = mapped_column(String(60))
    #: a title for people, e.g. "Load the demo cohort"
    title: Mapped[str] = mapped_column(String(200))
    #: queued, running, succeeded or failed
    state: Mapped[str] = mapped_column(String(12), default=QUEUED)
    #: units of work done, out of `total` (a total of none means "not yet known")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]
    #: what `done` and `total` count, e.g. "rows" or "families"
    unit: Mapped[str | None] = mapped_column(String(20))
    #: what it is doing now, or how it ended, in words for people
    message: Mapped[str | None] = mapped_column(String(500))
    #: the arguments it was started with
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    #: what it produced: figures shown on the job page
    result: Mapped[dict | None] = mapped_column(JSON)
    #: the technical detail of a failure, for administrators
    error: Mapped[str | None] = mapped_column(Text)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    #: last sign of life from the worker; a running job silent too long is stale
    heartbeat_at: Mapped[datetime | None]
    #: the worker that ran it (host and process)
    worker: Mapped[str | None] = mapped_column(String(200))

    started_by = relationship("User", lazy="joined")

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def waiting_for_worker(self) -> bool:
        """Queued for a while with no worker taking it: the page says so."""
        return self.state == QUEUED and (utcnow() - self.created_at).total_seconds() > WAITING_AFTER_SECONDS

    @property
    def percent(self) -> int | None:
        if self.state == SUCCEEDED:
            return 100
        if not self.total:
            return None
        return min(100, int(100 * self.done / self.total))

    def status(self) -> dict:
        """What the job page polls for."""
        return {
            "id": self.id,
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "unit": self.unit,
            "percent": self.percent,
            "message": self.message,
            "finished": self.finished,
            "result": self.result,
            "waiting_for_worker": self.waiting_for_worker,
        }
