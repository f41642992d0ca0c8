from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tff.extensions import db
from tff.timeutil import utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_object", "object_type", "object_id"),
        Index("ix_audit_entries_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: when the change was made (UTC)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: who made it; empty for the system (imports from the command line, jobs)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: what was done, e.g. `user.create`, `family.attach`
    action: Mapped[str] = mapped_column(String(60), index=True)
    #: the kind of record changed, e.g. `user`, `family`
    object_type: Mapped[str] = mapped_column(String(40))
    #: its id or reference, as text
    object_id: Mapped[str | None] = mapped_column(String(64))
    #: one line for people
    summary: Mapped[str] = mapped_column(String(500))
    #: the fields that changed, before and after
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    #: the address the request came from, where there was one
    remote_addr: Mapped[str | None] = mapped_column(String(45))

    user = relationship("User", lazy="joined")
