"""Which criteria a family's evidence meets on a date (`identification.md`): a pure function of
the family's facts, the date, the settings and (phase two, Supporting Families) the plan that
measures the family. No database, web or job code: the job reads the facts with the outcomes
loader and stores what this returns.

Each suggestion names the evidence that made it, in the words a coordinator checks it by:
`asb 2013-02-11 (police E123)`, `ESA from 2012-01-01`,
`absence 17% over autumn 2012, spring 2013, summer 2013`. A suggestion is never a decision: a
person confirms it, and eligibility is judged on the confirmed criteria.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from tff.outcomes.facts import EventFact, FamilyFacts, MemberFacts, SpellFact, Term, TermCalendar
from tff.outcomes.phase1 import RULE_SET, age_on
from tff.outcomes.plans.document import MIN_PROBLEMS, PlanDocument

#: a child is under this age on the date the criteria are judged on, an adult this age or over
ADULT_AGE = 18
#: which absence the education criterion counts: the framework's unauthorised absence, or every
#: absence (the seed council's "attendance less than 85%")
UNAUTHORISED, ALL = "unauthorised", "all"
ABSENCE_SETTINGS = (UNAUTHORISED, ALL)

#: the kinds of criterion
NATIONAL, LOCAL, PROBLEM = "national", "local", "problem"
#: phase one's national criteria, as `identification.md` names them
CRIME_ASB, EDUCATION, WORK = "crime_asb", "education", "work"
PHASE1_NATIONAL = (CRIME_ASB, EDUCATION, WORK)
#: the local filter the evidence can show
DOMESTIC_ABUSE = "domestic_abuse"
#: how many national criteria make a phase one family eligible with a local filter beside them
NATIONAL_WITH_LOCAL = 2

#: phase one's thresholds
WINDOW_MONTHS = 12
TERMS = 3
ABSENCE_PERCENT = 15
FIXED_EXCLUSIONS = 3

#: what a plan's `identify` rule may say: the conditions (the rule is met when any one is), what
#: qualifies them, and free words that are kept but not read
CONDITIONS = (
    "events",
    "spells",
    "out_of_work_benefit",
    "unauthorised_absence_percent",
    "absence_percent",
    "fixed_exclusions",
    "permanent_exclusion",
)
QUALIFIERS = ("months", "months_before_attachment", "terms", "members", "at_least")
WORDS = ("description", "note", "notes")
MEMBER_SETS = ("everyone", "children", "adults")


class CannotSuggest(ValueError):
    """The family's criteria cannot be worked out (no plan measures it, a plan's `identify` rule
    cannot be read): the message says why, for the person who can put it right."""


@dataclass(frozen=True)
class Settings:
    """What the rules read besides the family: the out-of-work benefit codes, the term calendar
    and which absence counts."""

    out_of_work_benefits: frozenset[str]
    calendar: TermCalendar = field(default_factory=TermCalendar)
    absence: str = UNAUTHORISED
    #: (date, n) -> the last n terms on it, worked out once for a whole cohort
    _terms: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        if self.absence not in ABSENCE_SETTINGS:
            raise ValueError(f"{self.absence!r} is not an absence setting; the settings are unauthorised, all")

    def last_terms(self, as_of: date, n: int) -> list["Term"]:
        if (as_of, n) not in self._terms:
            self._terms[as_of, n] = last_terms(self.calendar, as_of, n)
        return list(self._terms[as_of, n])


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A criterion the evidence meets, with the evidence that made it, one item a line."""

    code: str
    #: national or local (phase one), problem (phase two, Supporting Families)
    kind: str
    evidence: tuple[str, ...]


# --- the words --------------------------------------------------------------------------------


def percent(part: int, whole: int) -> str:
    """part / whole as a percentage cut (not rounded) to one decimal: shown at or over a whole
    threshold exactly when it is (14.96% is 14.9%, never 15%)."""
    whole_part, tenth = divmod(part * 1000 // whole, 10)
    return f"{whole_part}%" if tenth == 0 else f"{whole_part}.{tenth}%"


def event_words(event: EventFact) -> str:
    """`asb 2013-02-11 (police E123)`: the kind, the day, and where it came from when known."""
    source = " ".join(part for part in (event.source, event.reference) if part)
    return f"{event.kind} {event.date.isoformat()}" + (f" ({source})" if source else "")


def spell_words(spell: SpellFact) -> str:
    """`ESA from 2012-01-01` (a benefit by its code), with its end when it has one."""
    what = benefit_code(spell) if spell.kind == "benefit" else spell.kind
    text = f"{what} from {spell.start_date.isoformat()}"
    return text if spell.end_date is None else f"{text} to {spell.end_date.isoformat()}"


def terms_words(terms: list[Term]) -> str:
    return ", ".join(f"{t.term} {t.start.year}" for t in terms)


# --- what the criteria read -------------------------------------------------------------------


def benefit_code(spell: SpellFact) -> str:
    return (spell.detail or "").strip().upper()


@lru_cache(maxsize=256)
def months_before(as_of: date, months: int) -> date:
    """The day before a window of `months` calendar months ending on the date: D - m."""
    return as_of - relativedelta(months=months)


def within_months(day: date, as_of: date, months: int) -> bool:
    """In the `months` up to the date: D - m < d <= D (calendar months)."""
    return months_before(as_of, months) < day <= as_of


def open_on(spell: SpellFact, day: date) -> bool:
    """Started on or before the day, and not ended before it."""
    return spell.start_date <= day and (spell.end_date is None or spell.end_date >= day)


def last_terms(calendar: TermCalendar, as_of: date, n: int) -> list[Term]:
    """The `n` latest terms whose end is on or before the date, earliest first (the default
    calendar fills in any year an administrator has not set)."""
    years = relativedelta(years=max(2, n // 3 + 2))
    terms = calendar.covering(as_of - years, as_of).in_date_order()
    return [t for t in terms if t.end <= as_of][-n:]


def _ordered(members: Iterable[MemberFacts]) -> list[MemberFacts]:
    return sorted(members, key=lambda m: (m.date_of_birth, m.person_ref, m.member_id))


def _events(facts: FamilyFacts) -> list[EventFact]:
    """The family's events in a fixed order, whatever order they were read in."""
    return sorted(facts.events, key=lambda e: (e.date, e.kind, e.source or "", e.reference or "", e.member_id))


def _spells(facts: FamilyFacts) -> list[SpellFact]:
    return sorted(
        facts.spells, key=lambda s: (s.start_date, s.end_date or date.max, s.kind, s.detail or "", s.member_id)
    )


def _dedupe(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _in_set(member: MemberFacts | None, which: str, day: date) -> bool:
    if which == "everyone":
        return True
    if member is None:
        return False
    adult = age_on(member.date_of_birth, day) >= ADULT_AGE
    return adult if which == "adults" else not adult


def _schooling(
    facts: FamilyFacts,
    as_of: date,
    terms: list[Term],
    absence: str,
    percent_at_least: int | None,
    fixed_at_least: int | None,
    permanent: bool,
) -> list[str]:
    """The evidence of the children's schooling problems over the terms (a child: under 18 on
    the date): an absence rate at or over `percent_at_least` (absence sessions, `absence`
    unauthorised or all, over possible sessions; rows with no possible sessions ignored),
    `fixed_at_least` or more fixed exclusions, or (`permanent`) a permanent exclusion, within
    the terms' span."""
    if not terms:
        return []
    keys = {t.key for t in terms}
    first, last = terms[0].start, terms[-1].end
    children = {m.member_id for m in facts.members if age_on(m.date_of_birth, as_of) < ADULT_AGE}
    possible: dict[int, int] = defaultdict(int)
    absent: dict[int, int] = defaultdict(int)
    for row in facts.attendance:
        if row.member_id in children and row.possible > 0 and (row.academic_year, row.term) in keys:
            possible[row.member_id] += row.possible
            absent[row.member_id] += row.unauthorised + (row.authorised if absence == ALL else 0)
    exclusions: dict[int, list[EventFact]] = defaultdict(list)
    for event in _events(facts):
        if event.member_id in children and first <= event.date <= last:
            exclusions[event.member_id].append(event)
    found: list[str] = []
    for child in _ordered(m for m in facts.members if m.member_id in children):
        own = child.member_id
        whole = possible.get(own, 0)
        if percent_at_least is not None and whole and absent[own] * 100 >= percent_at_least * whole:
            found.append(f"absence {percent(absent[own], whole)} over {terms_words(terms)}")
        if permanent:
            found += [event_words(e) for e in exclusions[own] if e.kind == "permanent_exclusion"]
        fixed = [e for e in exclusions[own] if e.kind == "fixed_exclusion"]
        if fixed_at_least is not None and len(fixed) >= fixed_at_least:
            found += [event_words(e) for e in fixed]
    return found


# --- phase one --------------------------------------------------------------------------------


def _crime_asb(facts: FamilyFacts, as_of: date) -> list[str]:
    """An offence by a member under 18 on its date, or any member's ASB, in the 12 months up
    to the date."""
    born = {m.member_id: m.date_of_birth for m in facts.members}
    after = months_before(as_of, WINDOW_MONTHS)
    found = []
    for event in _events(facts):
        if not after < event.date <= as_of:
            continue
        if event.kind == "asb" or (
            event.kind == "offence"
            and event.member_id in born
            and age_on(born[event.member_id], event.date) < ADULT_AGE
        ):
            found.append(event_words(event))
    return found


def _out_of_work(facts: FamilyFacts, as_of: date, codes: frozenset[str]) -> list[str]:
    """An adult (18 or over on the date) with a benefit spell of an out-of-work code open on it."""
    adults = {m.member_id for m in facts.members if age_on(m.date_of_birth, as_of) >= ADULT_AGE}
    return [
        spell_words(s)
        for s in _spells(facts)
        if s.member_id in adults and s.kind == "benefit" and benefit_code(s) in codes and open_on(s, as_of)
    ]


def _events_of(facts: FamilyFacts, as_of: date, kinds, months: int, which: str = "everyone") -> list[EventFact]:
    members = {m.member_id: m for m in facts.members}
    after = months_before(as_of, months)
    return [
        e
        for e in _events(facts)
        if e.kind in kinds and after < e.date <= as_of and _in_set(members.get(e.member_id), which, e.date)
    ]


def phase1(facts: FamilyFacts, as_of: date, settings: Settings) -> list[Suggestion]:
    """Phase one's national criteria the evidence meets on the date, and the local filter it
    can show (`domestic_abuse`)."""
    terms = settings.last_terms(as_of, TERMS)
    found = {
        CRIME_ASB: _crime_asb(facts, as_of),
        EDUCATION: _schooling(facts, as_of, terms, settings.absence, ABSENCE_PERCENT, FIXED_EXCLUSIONS, True),
        WORK: _out_of_work(facts, as_of, settings.out_of_work_benefits),
    }
    suggestions = [Suggestion(code, NATIONAL, _dedupe(found[code])) for code in PHASE1_NATIONAL if found[code]]
    abuse = [event_words(e) for e in _events_of(facts, as_of, (DOMESTIC_ABUSE,), WINDOW_MONTHS)]
    if abuse:
        suggestions.append(Suggestion(DOMESTIC_ABUSE, LOCAL, _dedupe(abuse)))
    return sorted(suggestions, key=lambda s: s.code)


# --- phase two and Supporting Families: the plan's identify rules ------------------------------


def _kinds(value, where: str) -> tuple[str, ...]:
    if isinstance(value, str) and value.strip():
        return (value.strip(),)
    if isinstance(value, list) and value and all(isinstance(k, str) and k.strip() for k in value):
        return tuple(k.strip() for k in value)
    raise CannotSuggest(f"{where} must be a kind or a list of kinds")


def _whole(rule: dict, key: str, where: str, default: int | None, least: int = 1) -> int | None:
    value = rule.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise CannotSuggest(f"{where}.{key} must be a whole number, {least} or more")
    return value


def identify_rule_met(facts: FamilyFacts, as_of: date, rule: dict, settings: Settings, where: str) -> list[str]:
    """The evidence by which the family meets a plan problem's `identify` rule on the date
    (nothing when it does not). The rule is met when any one of its conditions is:

    - `events: [kinds]`: `at_least` (1) events of those kinds in the `months` (12; also
      `months_before_attachment`) up to the date, of `members` (everyone, children or adults,
      by age on the event's day);
    - `spells: [kinds]`: a spell of those kinds open on the date, of `members` (by age on it);
    - `out_of_work_benefit: true`: an adult with an out-of-work benefit spell open on the date;
    - `unauthorised_absence_percent: N` / `absence_percent: N`: a child whose unauthorised (or
      every) absence over the last `terms` (3) terms is N% or more;
    - `fixed_exclusions: N`: a child with N or more fixed exclusions within those terms;
    - `permanent_exclusion: true`: a child permanently excluded within those terms.

    `description` and `note(s)` are words for people. Anything else is refused (`CannotSuggest`),
    so that a rule nobody can read is put right rather than silently never met."""
    unknown = [k for k in rule if k not in CONDITIONS + QUALIFIERS + WORDS]
    if unknown:
        raise CannotSuggest(
            f"{where}: the key {unknown[0]!r} is not one identification reads; "
            f"the keys are {', '.join(CONDITIONS + QUALIFIERS + WORDS)}"
        )
    if not any(k in rule for k in CONDITIONS):
        raise CannotSuggest(f"{where} names no condition; the conditions are {', '.join(CONDITIONS)}")
    months = _whole(rule, "months", where, None)
    if months is None:
        months = _whole(rule, "months_before_attachment", where, WINDOW_MONTHS)
    n_terms = _whole(rule, "terms", where, TERMS)
    at_least = _whole(rule, "at_least", where, 1)
    which = rule.get("members", "everyone")
    if which not in MEMBER_SETS:
        raise CannotSuggest(f"{where}.members {which!r} is not a set of members; the sets are {', '.join(MEMBER_SETS)}")
    found: list[str] = []
    if "events" in rule:
        events = _events_of(facts, as_of, _kinds(rule["events"], f"{where}.events"), months, which)
        if len(events) >= at_least:
            found += [event_words(e) for e in events]
    if "spells" in rule:
        kinds = _kinds(rule["spells"], f"{where}.spells")
        members = {m.member_id: m for m in facts.members}
        found += [
            spell_words(s)
            for s in _spells(facts)
            if s.kind in kinds and open_on(s, as_of) and _in_set(members.get(s.member_id), which, as_of)
        ]
    if rule.get("out_of_work_benefit") is True:
        found += _out_of_work(facts, as_of, settings.out_of_work_benefits)
    schooling = ("unauthorised_absence_percent", "absence_percent", "fixed_exclusions", "permanent_exclusion")
    if any(k in rule for k in schooling):
        terms = settings.last_terms(as_of, n_terms)
        unauthorised = _whole(rule, "unauthorised_absence_percent", where, None, 0)
        every = _whole(rule, "absence_percent", where, None, 0)
        fixed = _whole(rule, "fixed_exclusions", where, None)
        permanent = rule.get("permanent_exclusion") is True
        if unauthorised is not None:
            found += _schooling(facts, as_of, terms, UNAUTHORISED, unauthorised, None, False)
        if every is not None:
            found += _schooling(facts, as_of, terms, ALL, every, None, False)
        if fixed is not None or permanent:
            found += _schooling(facts, as_of, terms, UNAUTHORISED, None, fixed, permanent)
    return found


def by_plan(facts: FamilyFacts, as_of: date, settings: Settings, plan: PlanDocument) -> list[Suggestion]:
    """The plan's headline problems whose `identify` rule the evidence meets on the date."""
    suggestions = []
    for index, problem in enumerate(plan.problems):
        if not problem.identify:
            continue
        where = f"the {plan.rule_set} plan's problems[{index}] ({problem.code}).identify"
        evidence = identify_rule_met(facts, as_of, problem.identify, settings, where)
        if evidence:
            suggestions.append(Suggestion(problem.code, PROBLEM, _dedupe(evidence)))
    return sorted(suggestions, key=lambda s: s.code)


def suggest(facts: FamilyFacts, as_of: date, settings: Settings, plan: PlanDocument | None = None) -> list[Suggestion]:
    """The criteria the family's evidence meets on the date, by code: phase one's national
    criteria and local filter, or the problems of the plan that measures the family (which a
    phase two or Supporting Families family needs: `CannotSuggest` without one)."""
    if facts.programme == RULE_SET:
        return phase1(facts, as_of, settings)
    if plan is None:
        raise CannotSuggest(f"no outcome plan measures this {facts.programme} family on {as_of.isoformat()}")
    return by_plan(facts, as_of, settings, plan)


# --- what the rules read ---------------------------------------------------------------------


def _named(value) -> set[str]:
    if isinstance(value, str):
        return {value.strip()}
    return {k.strip() for k in value if isinstance(k, str)} if isinstance(value, list) else set()


def evidence_read(as_of: date, settings: Settings, plans: Iterable[PlanDocument] = ()) -> tuple[set, set, set]:
    """(event kinds, spell kinds, academic years) the rules read on the date, for phase one and
    these plans: a loader need fetch no other evidence."""
    events = {"asb", "offence", "fixed_exclusion", "permanent_exclusion", DOMESTIC_ABUSE}
    spells = {"benefit"}
    n = TERMS
    for plan in plans:
        for problem in plan.problems:
            rule = problem.identify or {}
            events |= _named(rule.get("events"))
            spells |= _named(rule.get("spells"))
            terms = rule.get("terms")
            if isinstance(terms, int) and not isinstance(terms, bool) and terms > n:
                n = terms
    years = {t.academic_year for t in settings.last_terms(as_of, n)}
    return events, spells, years


# --- eligibility ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    #: why, in words: "meets 2 of the 3 national criteria (crime_asb, education) and no local filter"
    why: str


def _listed(codes: Iterable[str], titles: dict[str, str] | None = None) -> str:
    """The codes in brackets, or their titles when a page shows them."""
    named = sorted((titles or {}).get(code, code) for code in codes)
    return f" ({', '.join(named)})" if named else ""


def judge(programme: str, codes: dict[str, Iterable[str]], titles: dict[str, str] | None = None) -> Eligibility:
    """Eligible or not, and why, from a family's criteria codes by kind (`national`, `problem`,
    `local`): the one rule, read at attachment, on the worklist and by `flask identify`.

    Phase one: all three national criteria, or two of them and at least one local filter.
    Phase two: two or more headline problems; Supporting Families: three or more. `titles`
    (code -> title) names the criteria in the reason as a page shows them."""
    local = set(codes.get(LOCAL, ()))
    if programme == RULE_SET:
        national = set(codes.get(NATIONAL, ())) & set(PHASE1_NATIONAL)
        met = f"meets {len(national)} of the {len(PHASE1_NATIONAL)} national criteria{_listed(national, titles)}"
        if len(national) == len(PHASE1_NATIONAL):
            return Eligibility(True, met)
        locals_ = "no local filter"
        if local:
            locals_ = f"{len(local)} local filter{'s' if len(local) != 1 else ''}{_listed(local, titles)}"
        return Eligibility(len(national) >= NATIONAL_WITH_LOCAL and bool(local), f"{met} and {locals_}")
    needed = MIN_PROBLEMS.get(programme)
    if needed is None:
        return Eligibility(False, f"{programme} is not a programme")
    problems = set(codes.get(PROBLEM, ()))
    n = len(problems)
    return Eligibility(
        n >= needed,
        f"has {n} headline problem{'s' if n != 1 else ''}{_listed(problems, titles)}, and {needed} or more are needed",
    )


def eligible(programme: str, criteria: Iterable[tuple[str, str]]) -> bool:
    """`judge` of (kind, code) pairs: whether a family with these criteria is eligible."""
    codes: dict[str, set[str]] = {}
    for kind, code in criteria:
        codes.setdefault(kind, set()).add(code)
    return judge(programme, codes).eligible
