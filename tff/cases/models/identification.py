from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tff.extensions import db
from tff.timeutil import utcnow

#: every criterion a family can meet, by kind: the national criteria of each programme
#: (phase one's three; phase two's six headline problems) and the local filters
CRITERIA = {
    "national": {
        "education": "Poor school attendance or exclusions",
        "crime_asb": "Youth crime or anti-social behaviour",
        "work": "Adults on out-of-work benefits",
    },
    "problem": {
        "crime_asb": "Crime and anti-social behaviour",
        "education": "Children not attending school regularly",
        "children_need_help": "Children who need help",
        "worklessness": "Worklessness, financial exclusion or young people at risk",
        "domestic_abuse": "Domestic violence and abuse",
        "health": "Parents and children with a range of health problems",
    },
    "local": {
        "deprived_area": "Lives in a deprived area",
        "benefit_cap": "Affected by the benefit cap",
        "adult_mental_health": "Poor adult mental health",
        "domestic_abuse": "Domestic abuse",
        "substance_misuse": "Alcohol or substance misuse",
    },
}

#: where a criterion came from
FROM_EVIDENCE, CONFIRMED, IMPORTED = "evidence", "confirmed", "imported"


class FamilyCriterion(db.Model):
    """A criterion the family meets: suggested by the evidence, imported, or confirmed."""

    __tablename__ = "family_criteria"
    __table_args__ = (
        UniqueConstraint("family_id", "kind", "code"),
        Index("ix_family_criteria_kind_code", "kind", "code", "family_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"))
    #: `national` (phase one), `problem` (phase two and later) or `local`
    kind: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(40))
    #: evidence, confirmed or imported
    source: Mapped[str] = mapped_column(String(10))
    #: who confirmed it, and when; a criterion from evidence alone is unconfirmed
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None]
    #: what the evidence showed, or the person's note
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    family = relationship("Family", back_populates="criteria")
    confirmed_by = relationship("User")

    @property
    def title(self) -> str:
        return CRITERIA.get(self.kind, {}).get(self.code, self.code)
