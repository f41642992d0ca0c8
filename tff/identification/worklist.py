"""The identification worklist (`identification.md`): the families identified and not yet
attached that are eligible on their confirmed criteria, then those that would be eligible if
their suggestions were confirmed, each with its criteria and the evidence behind them.

Which group a family is in is worked out in the database, for the whole cohort at once: its
criteria counted by kind, confirmed ones and confirmed-or-suggested ones, and the counts
judged by the rule of `tff.identification.engine.judge`, written here as SQL from the same
constants. A region's 20,000 identified families are classified, filtered, sorted and cut to
a page in two queries; only the page's families' criteria are read row by row.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, exists, func, literal_column, or_, select, union_all

from tff.cases.access import visible_families
from tff.cases.models import CRITERIA, PROGRAMMES, Family, FamilyCriterion
from tff.cases.models.identification import FROM_EVIDENCE, IMPORTED
from tff.cases.search import CriterionChoice, criterion_groups
from tff.extensions import db
from tff.identification.engine import LOCAL, NATIONAL, NATIONAL_WITH_LOCAL, PHASE1_NATIONAL, PROBLEM, RULE_SET
from tff.identification.job import JOB_KIND, not_attached
from tff.identification.models import IdentificationSuggestion, RejectedCriterion
from tff.identification.settings import filter_title, local_filters
from tff.inputs import as_int
from tff.jobs.models import Job
from tff.outcomes.plan_versions.measuring import plans_measuring, problem_titles
from tff.outcomes.plans.document import MIN_PROBLEMS

#: the groups of the list: eligible on the confirmed criteria, eligible only if the
#: suggestions are confirmed, and neither (counted, not listed)
ELIGIBLE, IF_CONFIRMED, NEITHER = 1, 2, 0
#: a group as the address and the CSV name it
GROUP_NAMES = {ELIGIBLE: "eligible", IF_CONFIRMED: "eligible_if_confirmed"}
GROUPS = {name: number for number, name in GROUP_NAMES.items()}
PAGE_SIZE = 50
#: families whose criteria are read at once when the CSV is written
CSV_CHUNK = 500
CSV_COLUMNS = (
    "family_ref",
    "programme",
    "identified_on",
    "group",
    "eligible",
    "eligible_if_confirmed",
    "confirmed",
    "suggested",
    "rejected",
    "evidence",
)
#: a criterion's status, in the words the page shows
CONFIRMED_STATUS, IMPORTED_STATUS, SUGGESTED_STATUS, REJECTED_STATUS = "confirmed", "imported", "suggested", "rejected"
#: the order criteria are shown in: what counts first, then what would, then what was rejected
STATUS_ORDER = {CONFIRMED_STATUS: 0, IMPORTED_STATUS: 0, SUGGESTED_STATUS: 1, REJECTED_STATUS: 2}
KIND_ORDER = {NATIONAL: 0, PROBLEM: 1, LOCAL: 2}
#: the sorts a person can choose, each ascending or descending
SORTS = ("reference", "identified", "criteria", "programme")
DIRECTIONS = ("asc", "desc")


# --- which criteria count, in SQL ---------------------------------------------------------------


def confirmed_condition():
    """`tff.cases.eligibility.confirmed` as a query condition: added by a person, imported, or a
    suggestion a person confirmed."""
    return (FamilyCriterion.source != FROM_EVIDENCE) | FamilyCriterion.confirmed_at.is_not(None)


def not_rejected():
    """A suggestion nobody rejected: no rejection of the same family, kind and code."""
    return ~exists().where(
        RejectedCriterion.family_id == IdentificationSuggestion.family_id,
        RejectedCriterion.kind == IdentificationSuggestion.kind,
        RejectedCriterion.code == IdentificationSuggestion.code,
    )


def criterion_counts(families):
    """family_id -> its criteria counted by kind, confirmed ones (`*_confirmed`) and confirmed
    or suggested ones (`*_possible`), and how many criteria it has in all (`criteria`), for the
    families of the `families` id query. A criterion is one (kind, code), however many rows
    name it; phase one's national criteria are counted only among its three, as the rule
    counts them."""
    rows = union_all(
        select(
            FamilyCriterion.family_id, FamilyCriterion.kind, FamilyCriterion.code, literal_column("1").label("firm")
        ).where(confirmed_condition(), FamilyCriterion.family_id.in_(families)),
        select(
            IdentificationSuggestion.family_id,
            IdentificationSuggestion.kind,
            IdentificationSuggestion.code,
            literal_column("0").label("firm"),
        ).where(not_rejected(), IdentificationSuggestion.family_id.in_(families)),
    ).subquery("criterion_rows")
    each = (
        select(rows.c.family_id, rows.c.kind, rows.c.code, func.max(rows.c.firm).label("firm"))
        .group_by(rows.c.family_id, rows.c.kind, rows.c.code)
        .subquery("criterion_each")
    )
    of_kind = {
        NATIONAL: (each.c.kind == NATIONAL) & each.c.code.in_(PHASE1_NATIONAL),
        LOCAL: each.c.kind == LOCAL,
        PROBLEM: each.c.kind == PROBLEM,
    }
    counted = []
    for kind, condition in of_kind.items():
        counted.append(func.sum(case((condition & (each.c.firm == 1), 1), else_=0)).label(f"{kind}_confirmed"))
        counted.append(func.sum(case((condition, 1), else_=0)).label(f"{kind}_possible"))
    return (
        select(each.c.family_id, *counted, func.count().label("criteria"))
        .group_by(each.c.family_id)
        .subquery("criterion_counts")
    )


def eligible_condition(programme, national, local, problem):
    """`tff.identification.engine.judge` on counts of criteria by kind: phase one with all its
    national criteria, or `NATIONAL_WITH_LOCAL` of them and a local filter; a later programme
    with its `MIN_PROBLEMS` headline problems; any other programme never."""
    rules = [
        and_(
            programme == RULE_SET,
            or_(national >= len(PHASE1_NATIONAL), and_(national >= NATIONAL_WITH_LOCAL, local >= 1)),
        )
    ]
    rules += [and_(programme == name, problem >= needed) for name, needed in MIN_PROBLEMS.items()]
    return or_(*rules)


def group_of(programme, counts):
    """The family's group (ELIGIBLE, IF_CONFIRMED or NEITHER) from its `criterion_counts` row
    (outer-joined: a family with no criteria has none)."""

    def n(name):
        return func.coalesce(counts.c[name], 0)

    firm = eligible_condition(programme, *(n(f"{kind}_confirmed") for kind in (NATIONAL, LOCAL, PROBLEM)))
    possible = eligible_condition(programme, *(n(f"{kind}_possible") for kind in (NATIONAL, LOCAL, PROBLEM)))
    return case((firm, ELIGIBLE), (possible, IF_CONFIRMED), else_=NEITHER)


# --- the filters ---------------------------------------------------------------------------------


def criterion_choices() -> list[tuple[str, list[CriterionChoice]]]:
    """The criterion filter's choices, as the family list offers them: phase one's national
    criteria, the headline problems of each programme's adopted plans, the local criteria."""
    return criterion_groups()


@dataclass
class WorklistFilters:
    """What the address asks of the list; a value that is not one offered is ignored."""

    programme: str = ""
    #: `kind:code`, or `problem:programme.code` for a headline problem of a plan
    criterion: str = ""
    #: "", or a name of GROUP_NAMES
    group: str = ""
    #: "" for the list's own order, or one of SORTS
    sort: str = ""
    direction: str = "asc"
    page: int = 1

    @classmethod
    def from_args(cls, args, choices=None) -> "WorklistFilters":
        criterion = args.get("criterion", "")[:100]
        if criterion:
            choices = criterion_choices() if choices is None else choices
            offered = {choice.value for _label, group in choices for choice in group}
            criterion = criterion if criterion in offered else ""
        sort = args.get("sort", "")
        return cls(
            programme=args.get("programme", "") if args.get("programme") in PROGRAMMES else "",
            criterion=criterion,
            group=args.get("group", "") if args.get("group") in GROUPS else "",
            sort=sort if sort in SORTS else "",
            direction=args.get("direction", "asc") if args.get("direction") in DIRECTIONS else "asc",
            page=as_int(args.get("page"), 1, minimum=1) or 1,
        )

    def args(self, **changes) -> dict:
        """The address's query values for these filters with `changes`, leaving out defaults."""
        values = {
            "programme": self.programme,
            "criterion": self.criterion,
            "group": self.group,
            "sort": self.sort,
            "direction": self.direction if self.sort else "",
            "page": self.page if self.page > 1 else "",
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None)}


def _has_criterion(criterion: str):
    """The family has this criterion confirmed, or suggested and not rejected."""
    kind, _, code = criterion.partition(":")
    programme, _, plan_code = code.rpartition(".")
    condition = []
    if programme:
        condition.append(Family.programme == programme)
        code = plan_code
    firm = select(FamilyCriterion.family_id).where(
        FamilyCriterion.kind == kind, FamilyCriterion.code == code, confirmed_condition()
    )
    suggested = select(IdentificationSuggestion.family_id).where(
        IdentificationSuggestion.kind == kind, IdentificationSuggestion.code == code, not_rejected()
    )
    return and_(*condition, or_(Family.id.in_(firm), Family.id.in_(suggested)))


def classified(user, filters: WorklistFilters):
    """Every family identification is for that the user may see and the programme and
    criterion filters keep, with its group and number of criteria: a subquery of (id,
    reference, programme, identified_on, grp, criteria)."""
    counts = criterion_counts(select(Family.id).where(not_attached()))
    query = (
        visible_families(user)
        .outerjoin(counts, counts.c.family_id == Family.id)
        .where(not_attached())
        .with_only_columns(
            Family.id,
            Family.reference,
            Family.programme,
            Family.identified_on,
            group_of(Family.programme, counts).label("grp"),
            func.coalesce(counts.c.criteria, 0).label("criteria"),
        )
    )
    if filters.programme:
        query = query.where(Family.programme == filters.programme)
    if filters.criterion:
        query = query.where(_has_criterion(filters.criterion))
    return query.subquery("classified")


def _order(listed, filters: WorklistFilters) -> list:
    """Group 1 before group 2 always; within them the sort chosen (the reference breaking
    ties), or most criteria, then the earliest identified, then the reference. A family with
    no identified date comes after those with one, either way."""
    if not filters.sort:
        return [
            listed.c.grp.asc(),
            listed.c.criteria.desc(),
            listed.c.identified_on.is_(None).asc(),
            listed.c.identified_on.asc(),
            listed.c.reference.asc(),
        ]
    way = (lambda c: c.desc()) if filters.direction == "desc" else (lambda c: c.asc())
    keys = {
        "reference": [way(listed.c.reference)],
        "identified": [listed.c.identified_on.is_(None).asc(), way(listed.c.identified_on)],
        "criteria": [way(listed.c.criteria)],
        "programme": [way(listed.c.programme)],
    }[filters.sort]
    return [listed.c.grp.asc(), *keys, *([] if filters.sort == "reference" else [listed.c.reference.asc()])]


def _listed_groups(filters: WorklistFilters) -> list[int]:
    return [GROUPS[filters.group]] if filters.group else [ELIGIBLE, IF_CONFIRMED]


def listing(user, filters: WorklistFilters):
    """The ordered list the filters ask for, as a query of the `classified` columns."""
    listed = classified(user, filters)
    return select(listed).where(listed.c.grp.in_(_listed_groups(filters))).order_by(*_order(listed, filters))


# --- the page ------------------------------------------------------------------------------------


@dataclass
class Criterion:
    """A criterion of a family as the worklist shows it."""

    kind: str
    code: str
    #: confirmed, imported, suggested or rejected
    status: str
    #: the evidence behind it (a suggestion's items, a person's note), one item a line
    evidence: list[str] = field(default_factory=list)
    title: str = ""
    #: why a person rejected it
    reason: str = ""

    @property
    def counts(self) -> bool:
        return self.status in (CONFIRMED_STATUS, IMPORTED_STATUS)


@dataclass
class Row:
    """A family on the worklist."""

    id: int
    reference: str
    programme: str
    identified_on: date | None
    group: int
    criteria: list[Criterion]

    @property
    def programme_label(self) -> str:
        return PROGRAMMES.get(self.programme, self.programme)

    @property
    def eligible(self) -> bool:
        return self.group == ELIGIBLE

    def codes(self, *statuses: str) -> list[str]:
        return sorted({c.code for c in self.criteria if c.status in statuses})


@dataclass
class Summary:
    """How many families are in each group, with the filters of programme and criterion."""

    eligible: int = 0
    if_confirmed: int = 0
    neither: int = 0


@dataclass
class Page:
    rows: list[Row]
    #: families listed over every page
    total: int
    pages: int
    summary: Summary


def _with_criteria(rows, titled: bool) -> list[Row]:
    ids = [row.id for row in rows]
    criteria = criteria_of(ids)
    titles: dict[int, dict[str, str]] = {}
    if titled and ids:
        families = db.session.scalars(select(Family).where(Family.id.in_(ids))).all()
        titles = {family_id: problem_titles(plan) for family_id, plan in plans_measuring(families).items()}
    found = []
    filters = local_filters()
    for row in rows:
        own = criteria.get(row.id, [])
        for criterion in own:
            if criterion.kind == PROBLEM and criterion.code in titles.get(row.id, {}):
                criterion.title = titles[row.id][criterion.code]
            elif criterion.kind == LOCAL:
                criterion.title = filter_title(criterion.code, filters)
            else:
                criterion.title = CRITERIA.get(criterion.kind, {}).get(criterion.code, criterion.code)
        found.append(Row(row.id, row.reference, row.programme, row.identified_on, row.grp, own))
    return found


def summary(user, filters: WorklistFilters) -> Summary:
    listed = classified(user, filters)
    counts = dict(db.session.execute(select(listed.c.grp, func.count()).group_by(listed.c.grp)).all())
    return Summary(counts.get(ELIGIBLE, 0), counts.get(IF_CONFIRMED, 0), counts.get(NEITHER, 0))


def _page_rows(user, filters: WorklistFilters) -> list:
    """The page's rows, each with the number of families in each group: the families are
    classified once, for the count and the page together."""
    listed = classified(user, filters)
    totals = [
        func.sum(case((listed.c.grp == group, 1), else_=0)).over().label(f"in_group_{group}")
        for group in (ELIGIBLE, IF_CONFIRMED, NEITHER)
    ]
    counted = select(listed, *totals).subquery("counted")
    query = select(counted).where(counted.c.grp.in_(_listed_groups(filters))).order_by(*_order(counted, filters))
    return db.session.execute(query.limit(PAGE_SIZE).offset((filters.page - 1) * PAGE_SIZE)).all()


def page(user, filters: WorklistFilters) -> Page:
    """The page of the list the filters ask for, its families' criteria titled as their plans
    title them. A page beyond the last (an old or edited address) is the last: `filters.page`
    says which."""
    rows = _page_rows(user, filters)
    if rows:
        first = rows[0]
        found = Summary(first.in_group_1, first.in_group_2, first.in_group_0)
    else:
        found = summary(user, filters)
    total = {ELIGIBLE: found.eligible, IF_CONFIRMED: found.if_confirmed}
    listed_total = sum(total[g] for g in _listed_groups(filters))
    pages = max(1, (listed_total + PAGE_SIZE - 1) // PAGE_SIZE)
    if filters.page > pages:
        filters.page = pages
        rows = _page_rows(user, filters)
    return Page(_with_criteria(rows, titled=True), listed_total, pages, found)


def criteria_of(family_ids: list[int]) -> dict[int, list[Criterion]]:
    """family id -> its criteria: those that count (confirmed, imported), the suggestions not
    yet confirmed, and the rejected ones, each with its evidence. Three queries."""
    if not family_ids:
        return {}
    suggested: dict[tuple, list[str]] = {}
    for family_id, kind, code, evidence in db.session.execute(
        select(
            IdentificationSuggestion.family_id,
            IdentificationSuggestion.kind,
            IdentificationSuggestion.code,
            IdentificationSuggestion.evidence,
        )
        .where(IdentificationSuggestion.family_id.in_(family_ids))
        .order_by(IdentificationSuggestion.id)
    ):
        items = suggested.setdefault((family_id, kind, code), [])
        items += [str(item) for item in evidence or [] if str(item) not in items]
    rejected = {
        (r.family_id, r.kind, r.code): r
        for r in db.session.execute(
            select(
                RejectedCriterion.family_id,
                RejectedCriterion.kind,
                RejectedCriterion.code,
                RejectedCriterion.reason,
                RejectedCriterion.evidence,
            ).where(RejectedCriterion.family_id.in_(family_ids))
        )
    }
    found: dict[int, list[Criterion]] = {}
    held = set()
    for family_id, kind, code, source, note in db.session.execute(
        select(
            FamilyCriterion.family_id,
            FamilyCriterion.kind,
            FamilyCriterion.code,
            FamilyCriterion.source,
            FamilyCriterion.note,
        ).where(FamilyCriterion.family_id.in_(family_ids), confirmed_condition())
    ):
        key = (family_id, kind, code)
        held.add(key)
        evidence = [note] if note else []
        evidence += [item for item in suggested.get(key, []) if item not in evidence]
        status = IMPORTED_STATUS if source == IMPORTED else CONFIRMED_STATUS
        found.setdefault(family_id, []).append(Criterion(kind, code, status, evidence))
    for key, evidence in suggested.items():
        if key in held:
            continue
        if key in rejected:
            criterion = Criterion(key[1], key[2], REJECTED_STATUS, evidence, reason=rejected[key].reason)
        else:
            criterion = Criterion(key[1], key[2], SUGGESTED_STATUS, evidence)
        found.setdefault(key[0], []).append(criterion)
    for key, row in rejected.items():
        if key not in held and key not in suggested:
            evidence = [str(item) for item in row.evidence or []]
            found.setdefault(key[0], []).append(Criterion(key[1], key[2], REJECTED_STATUS, evidence, reason=row.reason))
    for criteria in found.values():
        criteria.sort(key=lambda c: (STATUS_ORDER[c.status], KIND_ORDER.get(c.kind, 9), c.kind, c.code))
    return found


# --- the CSV -------------------------------------------------------------------------------------


def _evidence_cell(criteria: list[Criterion]) -> str:
    """`code: item | item; code: item`, for the criteria that count or are suggested."""
    return "; ".join(
        f"{c.code}: {' | '.join(c.evidence)}" for c in criteria if c.status != REJECTED_STATUS and c.evidence
    )


def csv_rows(user, filters: WorklistFilters) -> Iterator[list]:
    """The header, then a row per family of the list the filters ask for (every page), the
    families' criteria read a chunk at a time."""
    yield list(CSV_COLUMNS)
    rows = db.session.execute(listing(user, filters)).all()
    for start in range(0, len(rows), CSV_CHUNK):
        for row in _with_criteria(rows[start : start + CSV_CHUNK], titled=False):
            yield [
                row.reference,
                row.programme,
                row.identified_on.isoformat() if row.identified_on else "",
                GROUP_NAMES[row.group],
                "true" if row.group == ELIGIBLE else "false",
                "true",
                ";".join(row.codes(CONFIRMED_STATUS, IMPORTED_STATUS)),
                ";".join(row.codes(SUGGESTED_STATUS)),
                ";".join(row.codes(REJECTED_STATUS)),
                _evidence_cell(row.criteria),
            ]


# --- when the suggestions were worked out ----------------------------------------------------------


def last_worked_out() -> Job | None:
    """The latest job that worked out the suggestions of the whole cohort (not of one family)."""
    for job in db.session.scalars(select(Job).where(Job.kind == JOB_KIND).order_by(Job.id.desc()).limit(50)):
        if not (job.params or {}).get("family_ref"):
            return job
    return None


def as_of_of(job: Job | None) -> date | None:
    try:
        return date.fromisoformat((job.params or {}).get("as_of", "")) if job else None
    except (TypeError, ValueError):
        return None
