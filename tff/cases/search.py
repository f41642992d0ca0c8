"""Finding families: the query behind the family list, built on the scoping function.

Every condition uses an index (prefix ranges, not `%x%` scans), so the list stays fast with
a region's 100,000 families and their 400,000 members.
"""

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass

from flask import url_for
from sqlalchemy import Select, and_, func, or_, select

from tff.auth.models import User
from tff.cases.access import visible_families
from tff.cases.models import CRITERIA, PROGRAMMES, STATUSES, Family, FamilyCriterion, Member
from tff.cases.models.member import name_key
from tff.cases.validation import NINO, POSTCODE, UPN, normalise_nino, normalise_postcode
from tff.extensions import db
from tff.identification.settings import local_filters
from tff.inputs import as_int
from tff.outcomes.plan_versions.measuring import adopted_versions

OUTWARD_CODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")

SORTS = {
    "reference": (Family.reference.asc(),),
    "identified": (Family.identified_on.desc(), Family.reference.asc()),
    "attached": (Family.attached_on.desc(), Family.reference.asc()),
    "postcode": (Family.postcode.asc(), Family.reference.asc()),
}
PAGE_SIZE = 50
#: the family list's CSV: codes for data teams, with the titles people read beside them
CSV_COLUMNS = [
    "Family reference",
    "Programme",
    "Programme title",
    "Status",
    "Status title",
    "Postcode",
    "Lead worker",
    "Identified on",
    "Attached on",
    "Members",
]
#: rows read from the database at a time while the CSV is written
CSV_BATCH = 1000


@dataclass(frozen=True)
class CriterionChoice:
    """One choice of the family list's criterion filter: `value` is what the address carries,
    `kind:code`, or for a headline problem of a plan `problem:programme.code` (that problem, in
    the families of that programme)."""

    value: str
    title: str


def criterion_groups() -> list[tuple[str, list[CriterionChoice]]]:
    """The criterion filter's choices, grouped: phase one's national criteria, the headline
    problems of each programme's adopted outcome plans (every version's, titled as the latest
    titles them, the group naming the plans), and the council's local filters. Two queries."""
    groups = [("National (phase one)", [CriterionChoice(f"national:{c}", t) for c, t in CRITERIA["national"].items()])]
    by_programme: dict[str, list] = {}
    for framework, name, version, in_force_from, document in adopted_versions():
        by_programme.setdefault(framework, []).append((in_force_from, version, name, document))
    for programme in PROGRAMMES:
        versions = sorted(by_programme.get(programme, []), key=lambda v: (v[0], v[1], v[2]))
        if not versions:
            continue
        titles: dict[str, str] = {}
        for *_when, document in reversed(versions):
            for problem in document.problems:
                titles.setdefault(problem.code, problem.title)
        plans = ", ".join(f"{name} v{version}" for _day, version, name, _document in versions)
        groups.append(
            (
                f"Headline problems, {PROGRAMMES[programme]}: {plans}",
                [CriterionChoice(f"problem:{programme}.{code}", title) for code, title in titles.items()],
            )
        )
    groups.append(("Local", [CriterionChoice(f"local:{c}", t) for c, t in local_filters().items()]))
    return groups


def _criterion_allowed(criterion: str, groups) -> bool:
    """Offered now, or a headline problem of any programme as addresses made before the filter
    named programmes carried it (`problem:code`)."""
    kind, _, code = criterion.partition(":")
    if kind == "problem" and code in CRITERIA["problem"]:
        return True
    return any(choice.value == criterion for _label, choices in groups for choice in choices)


@dataclass
class FamilyFilters:
    q: str = ""
    status: str = ""
    programme: str = ""
    worker: int | None = None
    criterion: str = ""
    sort: str = "reference"
    page: int = 1

    @property
    def narrowed(self) -> bool:
        """Any filter set (the sort and page are not filters): the list offers to clear them."""
        return bool(self.q or self.status or self.programme or self.worker or self.criterion)

    def args(self, **changes) -> dict:
        """The address arguments that ask for this list again (those set only), with `changes`;
        a change to "" or None leaves that argument out."""
        values = {
            "q": self.q,
            "status": self.status,
            "programme": self.programme,
            "worker": self.worker,
            "criterion": self.criterion,
            "sort": "" if self.sort == "reference" else self.sort,
            "page": "" if self.page == 1 else self.page,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None)}

    @classmethod
    def from_args(cls, args, groups=None) -> "FamilyFilters":
        """The filters an address asks for, each ignored when it is not one offered; `groups`
        are the criterion choices (`criterion_groups()`, read when not given)."""
        sort = args.get("sort", "reference")
        criterion = args.get("criterion", "")[:100]
        if criterion and groups is None:
            groups = criterion_groups()
        return cls(
            q=args.get("q", "").strip()[:100],
            status=args.get("status", "") if args.get("status") in STATUSES else "",
            programme=args.get("programme", "") if args.get("programme") in PROGRAMMES else "",
            worker=as_int(args.get("worker"), minimum=1),
            criterion=criterion if criterion and _criterion_allowed(criterion, groups) else "",
            sort=sort if sort in SORTS else "reference",
            page=as_int(args.get("page"), 1, minimum=1),
        )


def _after(prefix: str) -> str | None:
    """The first text after every text starting with `prefix`; None when there is none (the
    prefix is all U+10FFFF, the last code point). Surrogates are skipped: no database holds one."""
    prefix = prefix.rstrip(chr(sys.maxunicode))
    if not prefix:
        return None
    following = ord(prefix[-1]) + 1
    return prefix[:-1] + chr(0xE000 if 0xD800 <= following <= 0xDFFF else following)


def _prefix(column, prefix: str):
    """`column` starts with `prefix`, as a range an index can serve."""
    after = _after(prefix)
    return and_(column >= prefix, column < after) if after is not None else column >= prefix


def _members_where(*conditions):
    return Family.id.in_(select(Member.family_id).where(*conditions))


def search_condition(q: str):
    """What `q` means: a UPN, a National Insurance number, a postcode, a reference or names."""
    text = q.strip()
    upper = text.upper()
    if UPN.match(upper):
        return _members_where(Member.upn == upper)
    if NINO.match(normalise_nino(text)):
        return _members_where(Member.nino == normalise_nino(text))
    compact = re.sub(r"\s+", "", upper)
    if POSTCODE.match(compact):
        return Family.postcode == normalise_postcode(compact)
    if OUTWARD_CODE.match(compact) and " " not in text and not text.isalpha():
        return or_(_prefix(Family.postcode, compact + " "), _prefix(Family.reference, text))
    words = [name_key(w) for w in text.split() if name_key(w)]
    conditions = [_prefix(Family.reference, text)]
    if len(words) == 1:
        conditions.append(_members_where(or_(_prefix(Member.last_key, words[0]), _prefix(Member.first_key, words[0]))))
    elif len(words) > 1:
        first, last, joined = words[0], words[-1], "".join(words)
        conditions.append(
            _members_where(
                or_(
                    and_(_prefix(Member.first_key, first), _prefix(Member.last_key, last)),
                    and_(_prefix(Member.first_key, last), _prefix(Member.last_key, first)),
                    # "mary jane" is Mary-Jane: keys have no spaces or hyphens.
                    _prefix(Member.first_key, joined),
                    _prefix(Member.last_key, joined),
                )
            )
        )
    return or_(*conditions)


def family_query(user, filters: FamilyFilters) -> Select:
    query = visible_families(user)
    if filters.q:
        query = query.where(search_condition(filters.q))
    if filters.status:
        query = query.where(Family.status == filters.status)
    if filters.programme:
        query = query.where(Family.programme == filters.programme)
    if filters.worker:
        query = query.where(Family.lead_worker_id == filters.worker)
    if filters.criterion:
        kind, _, code = filters.criterion.partition(":")
        programme, _, plan_code = code.rpartition(".")
        if programme:
            query = query.where(Family.programme == programme)
            code = plan_code
        query = query.where(
            Family.id.in_(
                select(FamilyCriterion.family_id).where(FamilyCriterion.kind == kind, FamilyCriterion.code == code)
            )
        )
    return query


def page_of_families(user, filters: FamilyFilters):
    """(families on the page, total matching, members by family id) in three queries. A page
    beyond the last (an old or edited address) is the last page: `filters.page` says which."""
    query = family_query(user, filters)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    filters.page = min(filters.page, max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE))
    families = db.session.scalars(
        query.order_by(*SORTS[filters.sort]).limit(PAGE_SIZE).offset((filters.page - 1) * PAGE_SIZE)
    ).all()
    members: dict[int, list[Member]] = {}
    if families:
        for member in db.session.scalars(
            select(Member).where(Member.family_id.in_([f.id for f in families])).order_by(Member.date_of_birth)
        ):
            members.setdefault(member.family_id, []).append(member)
    return families, total, members


def page_items(filters: FamilyFilters, pages: int, endpoint: str = "cases.index") -> list[dict]:
    """The pagination's numbered links: the first, the last, and the pages either side of this
    one, with an ellipsis where pages are left out (a long list stays one line)."""
    shown = sorted({n for n in (1, filters.page - 1, filters.page, filters.page + 1, pages) if 1 <= n <= pages})
    items, before = [], 0
    for number in shown:
        if number > before + 1:
            items.append({"ellipsis": True})
        items.append(
            {
                "number": number,
                "href": url_for(endpoint, **filters.args(page=number)),
                "current": number == filters.page,
            }
        )
        before = number
    return items


def csv_rows(user, filters: FamilyFilters) -> Iterator[list]:
    """The header, then a row per family the filters find (every page, not only the one shown),
    in the list's order: one query, read in batches, the lead worker joined and the members
    counted in it, so a region's list streams in flat memory."""
    yield list(CSV_COLUMNS)
    members = select(func.count()).where(Member.family_id == Family.id).correlate(Family).scalar_subquery()
    query = (
        family_query(user, filters)
        .outerjoin(User, User.id == Family.lead_worker_id)
        .with_only_columns(
            Family.reference,
            Family.programme,
            Family.status,
            Family.postcode,
            User.name.label("lead_worker"),
            Family.identified_on,
            Family.attached_on,
            members.label("members"),
        )
        .order_by(*SORTS[filters.sort])
    )
    for row in db.session.execute(query.execution_options(yield_per=CSV_BATCH)):
        yield [
            row.reference,
            row.programme,
            PROGRAMMES.get(row.programme, row.programme),
            row.status,
            STATUSES.get(row.status, row.status),
            row.postcode or "",
            row.lead_worker or "",
            row.identified_on.isoformat() if row.identified_on else "",
            row.attached_on.isoformat() if row.attached_on else "",
            row.members,
        ]
