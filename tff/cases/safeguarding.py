"""Safeguarding flags: what about a family no one who opens it, or sees it in a list, may miss.

A family is flagged for
- an open Child Protection or Child in Need plan of any member (a spell with no end date, or
  one that ends today or later);
- a CSE or exploitation concern from the Family CAF screening (the person's latest CSE
  screening found a concern; a later screening that finds none lifts it);
- a domestic abuse incident or a missing episode of any member in the last six months.

Each flag carries its date and where it came from, so that a reader can weigh it and find the
record. The flags of many families are read at once, in three queries whatever their number,
so a list page or a home page asks once for all its rows. The caller chooses the families,
always from the scoping function (`visible_families`), so a flag never shows a family the user
may not see.
"""

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import Select, func, or_, select

from tff.auth.models import User
from tff.cases.caf.models import SCREENING_OUTCOMES, Screening
from tff.cases.models import CLOSED, Family, Member
from tff.dates import today as uk_today
from tff.evidence.kinds import EVENT_LABELS, SPELL_LABELS
from tff.evidence.manual import MANUAL
from tff.evidence.models import Event, Spell
from tff.extensions import db

CP_PLAN, CIN_PLAN, CSE, DOMESTIC_ABUSE, MISSING = "cp_plan", "cin_plan", "cse", "domestic_abuse", "missing_episode"
#: what each flag is called, in full and in a list's few words, in the order they are shown
KINDS = {
    CP_PLAN: (SPELL_LABELS[CP_PLAN], "CP plan"),
    CIN_PLAN: (SPELL_LABELS[CIN_PLAN], "CIN plan"),
    CSE: ("CSE or exploitation concern", "CSE concern"),
    DOMESTIC_ABUSE: (EVENT_LABELS[DOMESTIC_ABUSE], "Domestic abuse"),
    MISSING: (EVENT_LABELS[MISSING], "Missing episode"),
}
PLAN_KINDS = (CP_PLAN, CIN_PLAN)
EVENT_KINDS = (DOMESTIC_ABUSE, MISSING)
#: how far back a domestic abuse incident or a missing episode still flags the family
RECENT_MONTHS = 6
#: the outcomes of a screening that record a concern (every one but "no concern")
CONCERN_OUTCOMES = frozenset(code for code in SCREENING_OUTCOMES if code != "no_concern")
#: the most flagged families a home page lists
HOME_LIMIT = 50


@dataclass(frozen=True)
class Flag:
    """One reason to take care with a family."""

    #: one of KINDS
    kind: str
    #: the plan's start, the event's day or the screening's day
    on: date
    #: where it came from: the evidence's source, or the screening and who completed it
    source: str
    #: the member it is about; None when about the whole family
    member: str | None = None
    #: a plan's planned end (None while open-ended)
    until: date | None = None
    #: how many of these the member had in the last six months (events only; else 1)
    count: int = 1

    @property
    def title(self) -> str:
        return KINDS[self.kind][0]

    @property
    def short(self) -> str:
        return KINDS[self.kind][1]

    @property
    def is_plan(self) -> bool:
        return self.kind in PLAN_KINDS


def recent_since(today: date) -> date:
    """The first day that still counts as "in the last six months"."""
    return today - relativedelta(months=RECENT_MONTHS)


def _evidence_source(source: str, entered_by: str | None) -> str:
    if source == MANUAL:
        return f"Entered by hand by {entered_by}" if entered_by else "Entered by hand"
    return source.replace("_", " ") if source else "Source not recorded"


def _order(flags: list[Flag]) -> list[Flag]:
    order = list(KINDS)
    return sorted(flags, key=lambda f: (order.index(f.kind), -f.on.toordinal(), f.member or ""))


def flags_for(family_ids, today: date | None = None) -> dict[int, list[Flag]]:
    """The flags of each of these families (ids, or a query of ids), flagged families only.

    Three queries in all: plans, events, CSE screenings."""
    today = today or uk_today()
    since = recent_since(today)
    found: dict[int, list[Flag]] = {}
    name = Member.first_name + " " + Member.last_name

    plans = db.session.execute(
        select(Member.family_id, name, Spell.kind, Spell.start_date, Spell.end_date, Spell.source, User.name)
        .join(Member, Spell.member_id == Member.id)
        .outerjoin(User, Spell.entered_by_id == User.id)
        .where(
            Member.family_id.in_(family_ids),
            Spell.kind.in_(PLAN_KINDS),
            or_(Spell.end_date.is_(None), Spell.end_date >= today),
        )
    )
    for family_id, member, kind, start, end, source, by in plans:
        found.setdefault(family_id, []).append(
            Flag(kind, start, _evidence_source(source, by), member=member, until=end)
        )

    # An event dated after today is a mistake in its source, yet it is shown: a flag missed is
    # worse than one that is early. Each member's latest of each kind stands for the rest.
    events = db.session.execute(
        select(Member.family_id, Event.member_id, name, Event.kind, Event.date, Event.source, User.name)
        .join(Member, Event.member_id == Member.id)
        .outerjoin(User, Event.entered_by_id == User.id)
        .where(Member.family_id.in_(family_ids), Event.kind.in_(EVENT_KINDS), Event.date >= since)
        .order_by(Event.date.desc(), Event.id.desc())
    )
    latest: dict[tuple, list] = {}
    for family_id, member_id, member, kind, on, source, by in events:
        key = (family_id, member_id, kind)
        if key in latest:
            latest[key][1] += 1
        else:
            latest[key] = [Flag(kind, on, _evidence_source(source, by), member=member), 1]
    for (family_id, _member, _kind), (flag, n) in latest.items():
        found.setdefault(family_id, []).append(Flag(flag.kind, flag.on, flag.source, member=flag.member, count=n))

    # Only the person's latest CSE screening counts: a later one that finds no concern lifts it.
    screenings = db.session.execute(
        select(Screening.family_id, Screening.member_id, name, Screening.completed_on, Screening.outcome, User.name)
        .outerjoin(Member, Screening.member_id == Member.id)
        .outerjoin(User, Screening.by_id == User.id)
        .where(Screening.family_id.in_(family_ids), Screening.kind == CSE)
        .order_by(Screening.completed_on.desc(), Screening.id.desc())
    )
    seen: set[tuple] = set()
    for family_id, member_id, member, on, outcome, by in screenings:
        if (family_id, member_id) in seen:
            continue
        seen.add((family_id, member_id))
        if outcome in CONCERN_OUTCOMES:
            source = f"Family CAF screening by {by}" if by else "Family CAF screening"
            found.setdefault(family_id, []).append(Flag(CSE, on, source, member=member))

    return {family_id: _order(flags) for family_id, flags in found.items()}


def flags_for_family(family: Family) -> list[Flag]:
    """The flags of one family the caller found through the scoping function (for its pages)."""
    return flags_for([family.id]).get(family.id, [])


def short_names(flags: list[Flag]) -> str:
    """The flags in a few words, each kind once: "CP plan, CSE concern"."""
    kinds = list(dict.fromkeys(flag.kind for flag in flags))
    return ", ".join(KINDS[kind][1] for kind in kinds)


def flagged_families(families: Select, limit: int = HOME_LIMIT) -> tuple[list[tuple[Family, list[Flag]]], int]:
    """The flagged families among these (a query from the scoping function), the most recently
    flagged first, at most `limit` of them, with how many there are in all. For the home pages."""
    scoped = families.subquery()
    flags = flags_for(select(scoped.c.id))
    ranked = sorted(flags, key=lambda fid: max(flag.on for flag in flags[fid]), reverse=True)[:limit]
    by_id = {f.id: f for f in db.session.scalars(select(Family).where(Family.id.in_(ranked)))}
    return [(by_id[fid], flags[fid]) for fid in ranked], len(flags)


def flagged_by_lead_worker(worker_ids) -> dict[int, int]:
    """How many of each lead worker's open cases are flagged (for the caseloads page)."""
    open_cases = select(Family.id).where(Family.lead_worker_id.in_(list(worker_ids)), Family.status != CLOSED)
    flagged = list(flags_for(open_cases))
    if not flagged:
        return {}
    rows = db.session.execute(
        select(Family.lead_worker_id, func.count()).where(Family.id.in_(flagged)).group_by(Family.lead_worker_id)
    )
    return {worker_id: n for worker_id, n in rows}
