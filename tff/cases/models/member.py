from datetime import date

from sqlalchemy import ForeignKey, Index, String, orm
from sqlalchemy.orm import Mapped, mapped_column

from tff.extensions import db


def name_key(name: str | None) -> str:
    """A name as matching compares it: lower case, without spaces, hyphens or apostrophes."""
    if not name:
        return ""
    return "".join(ch for ch in name.lower() if ch not in " -'’")


class Member(db.Model):
    __tablename__ = "members"
    # Name searches find families: the family id in the index saves a row lookup per match.
    __table_args__ = (
        Index("ix_members_last_key_family", "last_key", "family_id"),
        Index("ix_members_first_key_family", "first_key", "family_id"),
        Index("ix_members_name_dob", "last_key", "first_key", "date_of_birth"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    #: the product's own reference for a person, unique across the product
    person_ref: Mapped[str] = mapped_column(String(40), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    #: `name_key` of the names, kept for search and matching (indexed)
    first_key: Mapped[str] = mapped_column(String(100), default="")
    last_key: Mapped[str] = mapped_column(String(100), default="")
    date_of_birth: Mapped[date]
    sex: Mapped[str | None] = mapped_column(String(20))
    #: Unique Pupil Number (children): a letter then 12 digits
    upn: Mapped[str | None] = mapped_column(String(13), unique=True)
    #: National Insurance number (adults), stored without spaces, upper case
    nino: Mapped[str | None] = mapped_column(String(9), unique=True)
    #: e.g. mother, father, child; never used to tell adults from children
    relationship: Mapped[str | None] = mapped_column(String(30))

    # `orm.relationship`: the column above named `relationship` hides the bare name here.
    family = orm.relationship("Family", back_populates="members")

    @orm.validates("first_name", "last_name")
    def _keep_keys(self, key, value):
        setattr(self, "first_key" if key == "first_name" else "last_key", name_key(value))
        return value

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def audit_state(self) -> dict:
        return {
            "person_ref": self.person_ref,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "date_of_birth": self.date_of_birth,
            "sex": self.sex,
            "upn": self.upn,
            "nino": self.nino,
            "relationship": self.relationship,
        }
