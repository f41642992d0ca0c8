from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tff.extensions import db
from tff.timeutil import utcnow


class FamilyView(db.Model):
    """One look at a family's data: a page of the family, or a download. Written on every view,
    so kept to one narrow row; never changed."""

    __tablename__ = "family_views"
    __table_args__ = (
        Index("ix_family_views_family_id_viewed_at", "family_id", "viewed_at"),
        Index("ix_family_views_user_id_viewed_at", "user_id", "viewed_at"),
        # the unfiltered log, newest first
        Index("ix_family_views_viewed_at", "viewed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: empty for a download holding many families' data (a claim's lines, an import's file)
    family_id: Mapped[int | None] = mapped_column(ForeignKey("families.id"))
    #: the page or download, e.g. `cases.show`
    endpoint: Mapped[str] = mapped_column(String(80))
    viewed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: a section the user's role does not read, opened by breaking the glass
    #: (`tff.cases.need_to_know`); empty for an ordinary view
    section: Mapped[str | None] = mapped_column(String(20))
    #: why the glass was broken, on the row of the breaking itself
    reason: Mapped[str | None] = mapped_column(Text)

    user = relationship("User")
    family = relationship("Family")


class RetentionPeriod(db.Model):
    """How long a kind of record is kept before its personal data is removed (absent = the default)."""

    __tablename__ = "retention_periods"

    #: what is kept, e.g. `closed_families`
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    years: Mapped[int]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
