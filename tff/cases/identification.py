"""The identification worklist: families that meet the programme's criteria, not yet attached."""

from sqlalchemy import and_, func, or_, select

from tff.cases.access import visible_families
from tff.cases.eligibility import NATIONAL_WITH_LOCAL, PROBLEMS_NEEDED, confirmed, judge
from tff.cases.models import IDENTIFIED, Family, FamilyCriterion
from tff.extensions import db
from tff.outcomes.plan_versions.measuring import plans_measuring, problem_titles

#: programme -> (kind of criteria, the fewest of them an eligible family has): what the query
#: asks of a family before the eligibility rule (`tff.cases.eligibility.judge`) decides
THRESHOLDS = {
    "phase1": ("national", NATIONAL_WITH_LOCAL),
    **{programme: ("problem", needed) for programme, needed in PROBLEMS_NEEDED.items()},
}
LIMIT = 500


def worklist(user):
    """[(family, titles of the criteria met)] for identified families eligible on their
    confirmed criteria, most criteria first. The query keeps the families that could be
    eligible; the eligibility rule decides. Headline problems are titled as the outcome plan
    that measures the family titles them."""
    counts = (
        select(FamilyCriterion.family_id, FamilyCriterion.kind, func.count().label("n"))
        .group_by(FamilyCriterion.family_id, FamilyCriterion.kind)
        .subquery()
    )
    could_be = or_(
        *(
            and_(Family.programme == programme, counts.c.kind == kind, counts.c.n >= threshold)
            for programme, (kind, threshold) in THRESHOLDS.items()
        )
    )
    candidates = (
        visible_families(user)
        .join(counts, counts.c.family_id == Family.id)
        .where(Family.status == IDENTIFIED, could_be)
        .with_only_columns(Family.id, Family.programme, Family.identified_on, Family.reference)
    )
    found = {row.id: row for row in db.session.execute(candidates)}
    held: dict[int, list[FamilyCriterion]] = {}
    if found:
        for criterion in db.session.scalars(
            select(FamilyCriterion)
            .where(FamilyCriterion.family_id.in_(candidates.with_only_columns(Family.id).scalar_subquery()))
            .order_by(FamilyCriterion.kind, FamilyCriterion.code)
        ):
            if confirmed(criterion):
                held.setdefault(criterion.family_id, []).append(criterion)
    eligible = []
    for family_id, row in found.items():
        codes: dict[str, set[str]] = {}
        for criterion in held.get(family_id, []):
            codes.setdefault(criterion.kind, set()).add(criterion.code)
        if judge(row.programme, codes).eligible:
            eligible.append(row)
    eligible.sort(key=lambda r: (-len(held.get(r.id, [])), r.identified_on is None, r.identified_on, r.reference))
    ids = [row.id for row in eligible[:LIMIT]]
    by_id = {f.id: f for f in db.session.scalars(select(Family).where(Family.id.in_(ids)))} if ids else {}
    families = [by_id[i] for i in ids]
    criteria = {family_id: held.get(family_id, []) for family_id in ids}
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
