"""The identification worklist: families that meet the programme's criteria, not yet attached."""

from sqlalchemy import and_, func, or_, select

from tff.cases.access import visible_families
from tff.cases.models import IDENTIFIED, Family, FamilyCriterion
from tff.extensions import db
from tff.outcomes.plan_versions.measuring import plans_measuring, problem_titles

#: programme -> (kind of criteria, how many make a family eligible)
THRESHOLDS = {
    "phase1": ("national", 2),
    "phase2": ("problem", 2),
    "supporting_families": ("problem", 3),
}
LIMIT = 500


def worklist(user):
    """[(family, titles of the criteria met)] for identified families over their programme's
    threshold, most criteria first, in three queries. Headline problems are titled as the
    outcome plan that measures the family titles them."""
    counts = (
        select(FamilyCriterion.family_id, FamilyCriterion.kind, func.count().label("n"))
        .group_by(FamilyCriterion.family_id, FamilyCriterion.kind)
        .subquery()
    )
    eligible = or_(
        *(
            and_(Family.programme == programme, counts.c.kind == kind, counts.c.n >= threshold)
            for programme, (kind, threshold) in THRESHOLDS.items()
        )
    )
    families = db.session.scalars(
        visible_families(user)
        .join(counts, counts.c.family_id == Family.id)
        .where(Family.status == IDENTIFIED, eligible)
        .order_by(counts.c.n.desc(), Family.identified_on, Family.reference)
        .limit(LIMIT)
    ).all()
    criteria: dict[int, list[FamilyCriterion]] = {}
    if families:
        for criterion in db.session.scalars(
            select(FamilyCriterion)
            .where(FamilyCriterion.family_id.in_([f.id for f in families]))
            .order_by(FamilyCriterion.kind, FamilyCriterion.code)
        ):
            criteria.setdefault(criterion.family_id, []).append(criterion)
    plans = plans_measuring(families) if families else {}
    rows = []
    for family in families:
        titles = problem_titles(plans.get(family.id))
        rows.append(
            (
                family,
                [titles.get(c.code, c.title) if c.kind == "problem" else c.title for c in criteria.get(family.id, [])],
            )
        )
    return rows
