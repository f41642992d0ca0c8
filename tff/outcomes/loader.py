"""The facts of many families at once, for the engine: a handful of set-based queries per
chunk of families, whatever the chunk's size, and only the evidence the rules read; and the
rule sets that decide them (phase one, and the adopted outcome plan versions).

This module is the engines' one door to the database: `phase1` and `plans` never see a session.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from tff.cases.models import Family, FamilyCriterion, Member
from tff.claims.models import DRAFT, SUBMITTED, ClaimBatch, ClaimLine
from tff.evidence.models import AttendanceRecord, Event, Spell
from tff.evidence.settings import TermCalendar as CalendarSetting
from tff.evidence.settings import out_of_work_codes
from tff.extensions import db
from tff.imports.kinds.base import among
from tff.outcomes import undecided
from tff.outcomes.decisions import Decision
from tff.outcomes.facts import (
    AttendanceFact,
    ClaimHistory,
    EventFact,
    FamilyFacts,
    MemberFacts,
    SpellFact,
    TermCalendar,
)
from tff.outcomes.phase1 import OUTCOMES, RULE_SET, Phase1Settings, evaluate, financial_year_of
from tff.outcomes.plan_versions.measuring import AdoptedPlans, adopted_versions, measuring
from tff.outcomes.plans import PlanDocument
from tff.outcomes.plans.evaluate import SIGNIFICANT_SUSTAINED_PROGRESS, evaluate_plan
from tff.outcomes.rates import phase1_rates
from tff.outcomes.verified.operations import approved_codes

#: the event kinds phase one reads
EVENT_KINDS = ("asb", "offence", "fixed_exclusion", "permanent_exclusion")
#: the spell kinds phase one reads
SPELL_KINDS = ("benefit", "employment", "work_programme", "esf")


def calendar() -> TermCalendar:
    """Every term an administrator set; the engine fills in the default for other years."""
    rows = db.session.scalars(select(CalendarSetting))
    return TermCalendar.from_years({row.academic_year: row.dates() for row in rows})


def settings() -> Phase1Settings:
    """Phase one's thresholds, with the out-of-work benefits and the rate table an administrator chose."""
    return Phase1Settings(out_of_work_benefits=frozenset(out_of_work_codes()), rates=phase1_rates())


def _rows(query):
    """A column query's rows, executed as Core: no ORM result processing for plain columns."""
    return db.session.connection().execute(query).all()


@dataclass(frozen=True)
class Only:
    """The evidence a reader needs, when it needs less than the outcomes do: events and spells
    of these kinds, attendance of these academic years."""

    event_kinds: frozenset[str]
    spell_kinds: frozenset[str]
    academic_years: frozenset[str]


def load(
    family_ids: list[int], every_kind: bool = False, references: bool = False, only: Only | None = None
) -> list[FamilyFacts]:
    """The facts of these families (in id order): five queries, whatever their number. Only
    the evidence phase one reads, unless `every_kind` (outcome plans may read any kind), or
    `only` the kinds and academic years it names; each event's source and reference only when
    asked (`references`: identification names them)."""
    if not family_ids:
        return []
    members: dict[int, list[MemberFacts]] = defaultdict(list)
    family_of: dict[int, int] = {}
    query = select(
        Member.id, Member.family_id, Member.person_ref, Member.first_name, Member.last_name, Member.date_of_birth
    ).where(among(Member.family_id, family_ids))
    for member_id, family_id, ref, first, last, born in _rows(query):
        members[family_id].append(MemberFacts(member_id, ref, f"{first} {last}", born))
        family_of[member_id] = family_id

    in_families = select(Member.id).where(among(Member.family_id, family_ids))
    attendance: dict[int, list[AttendanceFact]] = defaultdict(list)
    query = select(
        AttendanceRecord.member_id,
        AttendanceRecord.academic_year,
        AttendanceRecord.term,
        AttendanceRecord.possible,
        AttendanceRecord.unauthorised,
        func.coalesce(AttendanceRecord.authorised, 0),
    ).where(AttendanceRecord.member_id.in_(in_families))
    if only is not None:
        query = query.where(AttendanceRecord.academic_year.in_(sorted(only.academic_years)))
    for row in _rows(query):
        attendance[family_of[row[0]]].append(AttendanceFact(*row))
    events: dict[int, list[EventFact]] = defaultdict(list)
    columns = (Event.member_id, Event.kind, Event.date) + ((Event.source, Event.reference) if references else ())
    query = select(*columns).where(Event.member_id.in_(in_families))
    if only is not None:
        query = query.where(Event.kind.in_(sorted(only.event_kinds)))
    elif not every_kind:
        query = query.where(Event.kind.in_(EVENT_KINDS))
    for row in _rows(query):
        events[family_of[row[0]]].append(EventFact(*row))
    spells: dict[int, list[SpellFact]] = defaultdict(list)
    query = select(Spell.member_id, Spell.kind, Spell.detail, Spell.start_date, Spell.end_date).where(
        Spell.member_id.in_(in_families)
    )
    if only is not None:
        query = query.where(Spell.kind.in_(sorted(only.spell_kinds)))
    elif not every_kind:
        query = query.where(Spell.kind.in_(SPELL_KINDS))
    for row in _rows(query):
        spells[family_of[row[0]]].append(SpellFact(*row))

    query = (
        select(Family.id, Family.reference, Family.programme, Family.attached_on)
        .where(among(Family.id, family_ids))
        .order_by(Family.id)
    )
    return [
        FamilyFacts(
            family_id,
            reference,
            programme,
            attached_on,
            tuple(members[family_id]),
            tuple(attendance[family_id]),
            tuple(events[family_id]),
            tuple(spells[family_id]),
        )
        for family_id, reference, programme, attached_on in _rows(query)
    ]


def in_scope(as_of: date):
    """The families that have results as of the date (a query condition): those attached on or
    before it. A family attached after it has none; unless its attachment date is one the
    rules cannot measure from (like 9999-12-31, a broken record): that one is looked at, so
    that it is named as a family that could not be decided, and put right."""
    return (Family.attached_on <= as_of) | (Family.attached_on > undecided.LAST_MEASURABLE)


def has_results_after_attachment(attached_on: date | None, as_of: date) -> bool:
    """Whether a family attached on this date is looked at as of the date (`in_scope`)."""
    return attached_on is not None and (attached_on <= as_of or not undecided.measurable(attached_on))


def attached_families(after: str = "", limit: int | None = None, as_of: date | None = None) -> list[tuple[int, str]]:
    """The next `limit` attached families (attached on or before `as_of`, when given: a family
    attached later has no results as of it), (id, reference) in reference order: a chunk of
    the cohort, read by the unique index on the reference."""
    attached = Family.attached_on.is_not(None) if as_of is None else in_scope(as_of)
    query = (
        select(Family.id, Family.reference)
        .where(attached, Family.reference > after)
        .order_by(Family.reference)
        .limit(limit or current_app.config["OUTCOMES_CHUNK"])
    )
    return [tuple(row) for row in _rows(query)]


@dataclass(frozen=True)
class RuleSets:
    """What decides results, read once for many families: phase one's settings, the term
    calendar, and the adopted outcome plan versions."""

    phase1: Phase1Settings
    calendar: TermCalendar
    #: (framework, name, version, in force from, document) of every adopted plan version
    plans: tuple[tuple[str, str, int, date, PlanDocument], ...]

    def plan_for(self, framework: str, attached_on: date | None, chosen: str | None) -> PlanDocument | None:
        """The plan version a family is measured against: the one its `outcome_plan` names (a
        name alone: that plan's latest adopted version), else the adopted plan of its framework
        in force on its attachment date (`measuring`, the one rule every reading of a family's plan
        follows). From the versions read once, not a query a family."""
        return measuring(self.plans, framework, attached_on, chosen)


def rule_sets() -> RuleSets:
    return RuleSets(settings(), calendar(), adopted_versions())


@dataclass(frozen=True)
class Decided:
    """A family's facts, its decisions, and what each result pays (for the near misses); or,
    for a family that could not be decided, no decisions and why (`undecided`); or, for a
    family that has no results as of the date, no decisions and why (`no_results`)."""

    facts: FamilyFacts
    decisions: list[Decision]
    at_stake: dict[str, int]
    #: why the family could not be decided; None when it was
    undecided: str | None = None
    #: why the family has no results as of the date (attached after it, or measured by no
    #: adopted outcome plan): not an error, nothing is stored or printed for it
    no_results: str | None = None
    #: of `no_results`: the family is measured by no adopted outcome plan
    unmeasured: bool = False
    #: what an outcome plan read beside the facts: the problems identified, the approved
    #: verified outcomes and the day the case closed (kept with a claim's evidence)
    used: dict | None = None


def _case_details(family_ids: list[int]) -> dict[int, tuple[list[str], date | None, str | None]]:
    """family id -> (problems identified, closed on, the plan its record names), two queries."""
    if not family_ids:
        return {}
    problems: dict[int, list[str]] = defaultdict(list)
    query = select(FamilyCriterion.family_id, FamilyCriterion.code).where(
        among(FamilyCriterion.family_id, family_ids), FamilyCriterion.kind == "problem"
    )
    for family_id, code in _rows(query):
        problems[family_id].append(code)
    query = select(Family.id, Family.closed_on, Family.outcome_plan).where(among(Family.id, family_ids))
    return {family_id: (sorted(problems[family_id]), closed, chosen) for family_id, closed, chosen in _rows(query)}


def claim_histories(family_ids: list[int], window_id: int | None = None) -> dict[int, ClaimHistory]:
    """What each family has claimed, in one query: its lines not excluded, of a submitted claim
    or of another window's draft (the window being assembled replaces its own draft)."""
    counted = (ClaimBatch.state == SUBMITTED) | (ClaimBatch.state == DRAFT)
    if window_id is not None:
        counted = (ClaimBatch.state == SUBMITTED) | ((ClaimBatch.state == DRAFT) & (ClaimBatch.window_id != window_id))
    query = (
        select(ClaimLine.family_id, ClaimLine.outcome, ClaimLine.amount)
        .join(ClaimBatch, ClaimBatch.id == ClaimLine.batch_id)
        .where(among(ClaimLine.family_id, family_ids), ~ClaimLine.excluded, counted)
    )
    claimed: dict[int, dict[str, int]] = defaultdict(dict)
    for family_id, outcome, amount in _rows(query):
        claimed[family_id][outcome] = amount
    return {family_id: ClaimHistory(outcomes) for family_id, outcomes in claimed.items()}


def decide_each(family_ids: list[int], as_of: date, rules: RuleSets, window_id: int | None = None) -> list[Decided]:
    """The decisions of each of these families as of the date, given what they have claimed
    (as the window being assembled sees it): phase one's rules, or the outcome plan version
    that applies to the family. A family that cannot be decided (its facts cannot be read, or
    the rules fail on them) comes back undecided, with why: never the others with it. For a
    claim window, each event's source and reference are read too, for the claim's evidence."""
    try:
        facts_of = load(family_ids, every_kind=bool(rules.plans), references=window_id is not None)
    except Exception as exc:  # noqa: BLE001 - one family's unreadable row must not stop the rest
        if len(family_ids) > 1:
            return [one for family_id in family_ids for one in decide_each([family_id], as_of, rules, window_id)]
        return [_unreadable(family_id, exc) for family_id in family_ids]
    histories = claim_histories(family_ids, window_id) if family_ids else {}
    planned = [f.family_id for f in facts_of if f.programme != RULE_SET]
    details = _case_details(planned)
    verified = approved_codes(planned, as_of) if planned else {}
    decided = []
    for facts in facts_of:
        try:
            decided.append(_decide(facts, as_of, rules, histories, details, verified))
        except Exception as exc:  # noqa: BLE001 - the family is left undecided, with why; the others go on
            decided.append(Decided(facts, [], {}, undecided=undecided.reason_for(exc, facts, as_of)))
    return decided


def attached_after(attached_on: date, as_of: date) -> str:
    """Why a family attached after the as-of date has no results as of it."""
    return f"attached on {attached_on:%-d %B %Y}, after the as-of date {as_of:%-d %B %Y}: no results as of that date"


def no_plan_reason(rules: "RuleSets", programme: str, attached_on: date | None, chosen: str | None) -> str:
    """Why a family of an outcome plan programme is measured by no adopted plan, and what to
    do about it (the words the family's own pages use)."""
    return AdoptedPlans(rules.plans, attached_on or date.today()).why_none(programme, attached_on, chosen)


def _decide(facts: FamilyFacts, as_of: date, rules: RuleSets, histories, details, verified) -> Decided:
    if facts.attached_on is not None and not has_results_after_attachment(facts.attached_on, as_of):
        return Decided(facts, [], {}, no_results=attached_after(facts.attached_on, as_of))
    if facts.programme == RULE_SET:
        rates = rules.phase1.rates.get(financial_year_of(facts.attached_on)) if facts.attached_on else None
        stakes = {o: rates.of(o) for o in OUTCOMES} if rates is not None else {}
        history = histories.get(facts.family_id, ClaimHistory())
        return Decided(facts, evaluate(facts, rules.phase1, rules.calendar, history, as_of), stakes)
    problems, closed_on, chosen = details[facts.family_id]
    plan = rules.plan_for(facts.programme, facts.attached_on, chosen)
    if plan is None:
        reason = no_plan_reason(rules, facts.programme, facts.attached_on, chosen)
        return Decided(facts, [], {}, no_results=reason, unmeasured=True)
    decisions = evaluate_plan(
        facts,
        plan,
        problems,
        rules.calendar,
        histories.get(facts.family_id, ClaimHistory()),
        as_of,
        closed_on=closed_on,
        verified=verified.get(facts.family_id, frozenset()),
        out_of_work_benefits=rules.phase1.out_of_work_benefits,
    )
    stakes = {SIGNIFICANT_SUSTAINED_PROGRESS: plan.rates.result}
    if plan.rates.continuous_employment is not None:
        stakes["continuous_employment"] = plan.rates.continuous_employment
    used = {
        "problems": list(problems),
        "verified": sorted(verified.get(facts.family_id, frozenset())),
        "closed_on": closed_on.isoformat() if closed_on else None,
    }
    return Decided(facts, decisions, stakes, used=used)


def _unreadable(family_id: int, exc: Exception) -> Decided:
    """A family whose facts could not be read, undecided: its reference only, with why."""
    reference = db.session.scalar(select(Family.reference).where(Family.id == family_id)) or f"family {family_id}"
    facts = FamilyFacts(family_id, reference, RULE_SET, None)
    return Decided(facts, [], {}, undecided=undecided.reason_for(exc, facts))


def decide(family_ids: list[int], as_of: date, rules: RuleSets) -> list[Decision]:
    """The decisions of these families as of the date, sorted by family reference then outcome
    (a family that cannot be decided has none: `decide_each` says why)."""
    decisions = [d for one in decide_each(family_ids, as_of, rules) for d in one.decisions]
    return sorted(decisions, key=lambda d: (d.family_ref, d.outcome))
