"""Whether a family is eligible for its programme, judged on its confirmed criteria (the rule
itself is `tff.identification.engine.judge`, identification.md "Phase one" and "Phase two and
Supporting Families"): which criteria count, and a family's eligibility read from the database.
"""

from sqlalchemy import select

from tff.cases.models.identification import FROM_EVIDENCE, FamilyCriterion
from tff.identification.engine import NATIONAL_WITH_LOCAL, PHASE1_NATIONAL, Eligibility, judge
from tff.outcomes.plans.document import MIN_PROBLEMS

#: phase one's national criteria, all three of which make a family eligible
NATIONAL = PHASE1_NATIONAL
#: how many headline problems make a family of a later programme eligible
PROBLEMS_NEEDED = MIN_PROBLEMS

__all__ = ["NATIONAL", "NATIONAL_WITH_LOCAL", "PROBLEMS_NEEDED", "Eligibility", "judge"]


def counts(source: str, confirmed_at) -> bool:
    """A criterion counts once a person confirmed it or it was imported; one the evidence
    suggested and nobody confirmed does not."""
    return source != FROM_EVIDENCE or confirmed_at is not None


def confirmed(criterion) -> bool:
    """`counts` of a FamilyCriterion."""
    return counts(criterion.source, criterion.confirmed_at)


def codes_of(criteria) -> dict[str, set[str]]:
    """The confirmed criteria codes by kind, from FamilyCriterion rows."""
    codes: dict[str, set[str]] = {}
    for criterion in criteria:
        if confirmed(criterion):
            codes.setdefault(criterion.kind, set()).add(criterion.code)
    return codes


def family_eligibility(family) -> Eligibility:
    """The family's eligibility on its confirmed criteria as they are now, read afresh, its
    criteria named by their titles (the reason is shown on pages and kept in the audit trail)."""
    from tff.extensions import db
    from tff.identification.decisions import titles_of

    criteria = db.session.scalars(select(FamilyCriterion).where(FamilyCriterion.family_id == family.id)).all()
    return judge(family.programme, codes_of(criteria), titles_of(family))
