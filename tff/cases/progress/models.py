from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tff.extensions import db
from tff.timeutil import utcnow

NOTE_KINDS = {"visit": "Visit", "phone": "Phone call", "meeting": "Meeting", "other": "Other"}


class CaseNote(db.Model):
    """A record of contact with the family. What happened (fact) and what the worker makes of
    it (opinion) are kept in separate fields and shown apart. A note is never changed once
    written: a correction is a new note."""

    __tablename__ = "case_notes"
    __table_args__ = (Index("ix_case_notes_family_id_contact_on", "family_id", "contact_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"))
    #: the day of the contact
    contact_on: Mapped[date]
    #: one of NOTE_KINDS
    kind: Mapped[str] = mapped_column(String(10))
    #: what happened: who was there, what was seen, said and done
    facts: Mapped[str] = mapped_column(Text)
    #: the worker's professional opinion: what they think it means, and why
    opinion: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author = relationship("User")

    @property
    def kind_label(self) -> str:
        return NOTE_KINDS.get(self.kind, self.kind)

    def audit_state(self) -> dict:
        return {"contact_on": self.contact_on, "kind": self.kind, "facts": self.facts, "opinion": self.opinion}
