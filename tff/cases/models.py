from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, orm
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tff.extensions import db
from tff.timeutil import utcnow

PROGRAMMES = {
    "phase1": "Phase one (2012)",
    "phase2": "Phase two (2015)",
    "supporting_families": "Supporting Families (2022)",
}

IDENTIFIED = "identified"
ATTACHED = "attached"
CLOSED = "closed"
STATUSES = {IDENTIFIED: "Identified", ATTACHED: "Attached", CLOSED: "Closed"}


class Family(db.Model):
    __tablename__ = "families"
    __table_args__ = (
        Index("ix_families_status_programme", "status", "programme"),
        Index("ix_families_lead_worker_id", "lead_worker_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the authority's reference, e.g. `F001`
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    #: `phase1`, `phase2` or `supporting_families`
    programme: Mapped[str] = mapped_column(String(24))
    #: identified, attached or closed
    status: Mapped[str] = mapped_column(String(12), default=IDENTIFIED)
    identified_on: Mapped[date | None]
    #: the day the intervention started; the attachment fee and results count from it
    attached_on: Mapped[date | None]
    closed_on: Mapped[date | None]
    postcode: Mapped[str | None] = mapped_column(String(10))
    #: the family's lead worker (a lead worker or coordinator)
    lead_worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lead_worker = relationship("User")
    members: Mapped[list["Member"]] = relationship(back_populates="family", order_by="Member.date_of_birth")


class Member(db.Model):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    #: the product's own reference for a person, unique across the product
    person_ref: Mapped[str] = mapped_column(String(40), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date]
    sex: Mapped[str | None] = mapped_column(String(20))
    #: Unique Pupil Number (children)
    upn: Mapped[str | None] = mapped_column(String(13), unique=True)
    #: National Insurance number (adults), stored without spaces, upper case
    nino: Mapped[str | None] = mapped_column(String(9), unique=True)
    #: e.g. mother, father, child; never used to tell adults from children
    relationship: Mapped[str | None] = mapped_column(String(30))

    # `orm.relationship`: the column above named `relationship` hides the bare name here.
    family: Mapped[Family] = orm.relationship(back_populates="members")
