"""The phase one payment-by-results rules of the 2012 Troubled Families Financial Framework, as
`outcomes-phase1.md` fixes them: the crime/ASB/education, continuous employment and progress to
work results of an attached family as of a date, what of them may be claimed given what has
been claimed before, and for how much.

`evaluate()` is a pure function of the family's facts, the settings, the term calendar, the
claim history and the as-of date, so the cohort evaluation, a claim batch and the family page
can never disagree. Every threshold is a field of `Phase1Settings`, with the spec's value as
its default. Percentages are compared in whole numbers (`(b - r) * 100 >= 33 * b`), never in
floating point, so a family on the boundary is decided the same way everywhere."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType

from dateutil.relativedelta import relativedelta

from tff.evidence.kinds import OUT_OF_WORK_BENEFITS, SPELL_KINDS, SPELL_LABELS
from tff.outcomes.decisions import Decision
from tff.outcomes.facts import ClaimHistory, FamilyFacts, MemberFacts, SpellFact, Term, TermCalendar
from tff.timeutil import financial_year_of

RULE_SET = "phase1"
CRIME_ASB_EDUCATION = "crime_asb_education"
CONTINUOUS_EMPLOYMENT = "continuous_employment"
PROGRESS_TO_WORK = "progress_to_work"
#: the results of phase one, in the order decisions come out (that of `flask outcomes --json`)
OUTCOMES = (CONTINUOUS_EMPLOYMENT, CRIME_ASB_EDUCATION, PROGRESS_TO_WORK)

NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six")


@dataclass(frozen=True, slots=True)
class Rates:
    """Whole pounds paid for a family attached in one financial year."""

    attachment_fee: int
    crime_asb_education: int
    progress_to_work: int
    continuous_employment: int

    def of(self, outcome: str) -> int:
        return getattr(self, outcome)


def default_rates() -> Mapping[str, Rates]:
    """The spec's rate table, by financial year of attachment."""
    return MappingProxyType(
        {
            "2012/13": Rates(
                attachment_fee=3200, crime_asb_education=700, progress_to_work=100, continuous_employment=800
            ),
            "2013/14": Rates(
                attachment_fee=2400, crime_asb_education=1400, progress_to_work=200, continuous_employment=1600
            ),
            "2014/15": Rates(
                attachment_fee=1600, crime_asb_education=2100, progress_to_work=300, continuous_employment=2400
            ),
        }
    )


@dataclass(frozen=True, slots=True)
class Phase1Settings:
    """The thresholds of the phase one rule set; the defaults are the spec's."""

    #: a child's unauthorised absence at or above this percentage of possible sessions is a problem
    absence_percent: int = 15
    #: this many fixed-term exclusions or more over the terms is a problem
    fixed_exclusions: int = 3
    #: the family's ASB must fall by at least this percentage from the baseline window
    asb_reduction_percent: int = 60
    #: offending by the family's children must fall by at least this percentage
    offending_reduction_percent: int = 33
    #: calendar months of the baseline and recent windows, and from attachment until crime/ASB is measurable
    window_months: int = 6
    #: days of continuous employment (26 weeks)
    employment_days: int = 182
    #: benefit codes that count as out of work
    out_of_work_benefits: frozenset[str] = OUT_OF_WORK_BENEFITS
    #: spell kinds whose start is progress to work
    progress_to_work_kinds: frozenset[str] = frozenset({"work_programme", "esf"})
    #: an adult is this age or over on the date that matters; a child is under it
    adult_age: int = 18
    #: a child this age or over on the first measurement term's start has left school
    school_leaver_age: int = 16
    #: terms in the baseline and in the measurement
    terms: int = 3
    #: financial year of attachment (like 2012/13) -> rates; a family attached in another year has no rate
    rates: Mapping[str, Rates] = field(default_factory=default_rates)
    #: a result that would be met within this many days if nothing else changes is a near miss
    near_miss_days: int = 183


def evaluate(
    facts: FamilyFacts, settings: Phase1Settings, calendar: TermCalendar, history: ClaimHistory, as_of: date
) -> list[Decision]:
    """One decision per phase one result of the family as of `as_of`, in the order of `OUTCOMES`.
    `calendar` needs to hold only the years an administrator set: the default calendar fills in
    the rest."""
    if facts.programme != RULE_SET:
        raise ValueError(f"family {facts.family_ref} is on {facts.programme}, not phase one")
    attached = facts.attached_on
    if attached is None:
        reason = "not attached: a family has results only once it is attached"
        return [Decision(facts.family_ref, RULE_SET, o, False, False, None, [reason]) for o in OUTCOMES]

    dates = _Dates.of(attached, as_of, settings.window_months)
    two_years = timedelta(days=731)
    terms = calendar.covering(attached - two_years, max(attached, as_of) + two_years).in_date_order()
    year = financial_year_of(attached)
    header = f"attached {attached.isoformat()} (financial year {year}), as of {as_of.isoformat()}"

    adults = _out_of_work_adults(facts, settings, dates)
    results = {
        CRIME_ASB_EDUCATION: _crime_asb_education(facts, settings, dates, terms),
        CONTINUOUS_EMPLOYMENT: _continuous_employment(facts, settings, dates, adults),
        PROGRESS_TO_WORK: _progress_to_work(facts, settings, dates, adults),
    }
    claims = _claims({o: r.met for o, r in results.items()}, history, settings.rates.get(year), year)

    decisions = []
    for outcome in OUTCOMES:
        result, claim = results[outcome], claims[outcome]
        still_wanted = not result.met and claim.open
        near = result.near_miss if still_wanted else None
        decisions.append(
            Decision(
                family_ref=facts.family_ref,
                rule_set=RULE_SET,
                outcome=outcome,
                met=result.met,
                claimable=claim.claimable,
                amount=claim.amount,
                reasons=[header, *result.reasons, *claim.reasons],
                missing=list(result.missing) if still_wanted else [],
                near_miss=near if near is not None and near <= settings.near_miss_days else None,
            )
        )
    return decisions


def age_on(date_of_birth: date, day: date) -> int:
    """Whole years of age on a day (born 29 February: a year older on 1 March)."""
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


# --- the windows -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Dates:
    """The dates every rule measures from: attachment `A`, as-of `D` and the windows."""

    attached: date
    as_of: date
    #: first day of the baseline window (A - 6m); the window ends the day before A
    baseline_from: date
    #: the day before the recent window (D - 6m); the window ends on D
    recent_after: date
    #: A + 6m, from when crime/ASB is measurable
    measurable_from: date

    @classmethod
    def of(cls, attached: date, as_of: date, months: int) -> "_Dates":
        window = relativedelta(months=months)
        return cls(attached, as_of, attached - window, as_of - window, attached + window)

    @property
    def crime_measurable(self) -> bool:
        return self.as_of >= self.measurable_from

    def in_baseline(self, day: date) -> bool:
        return self.baseline_from <= day < self.attached

    def in_recent(self, day: date) -> bool:
        return self.recent_after < day <= self.as_of


@dataclass(slots=True)
class _Result:
    """What the rules found for one result, before the claim history is looked at."""

    met: bool
    reasons: list[str]
    #: in plain words, what is still needed
    missing: list[str] = field(default_factory=list)
    #: days until it could be met if nothing else changes; None when it cannot be met that way
    near_miss: int | None = None


@dataclass(slots=True)
class _Measure:
    """One of the three measures behind the crime/ASB/education result."""

    relevant: bool
    measurable: bool
    met: bool
    #: not relevant, yet shows a new problem, which keeps the result from being met
    new_problem: bool
    #: on the figures so far the measure stands in the way of the result
    failing: bool
    reason: str
    missing: list[str] = field(default_factory=list)
    #: relevant and waiting for time to pass: the day it can be measured
    wait_until: date | None = None


def _percent(part: int, whole: int) -> str:
    """part / whole as a percentage, cut (not rounded) to one decimal, so that the figure shown
    is at or over a whole-number threshold exactly when the exact value is."""
    tenths = abs(part) * 1000 // whole
    whole_part, tenth = divmod(tenths, 10)
    sign = "-" if part < 0 and tenths else ""
    return f"{sign}{whole_part}%" if tenth == 0 else f"{sign}{whole_part}.{tenth}%"


def _count(n: int, noun: str) -> str:
    word = NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else str(n)
    return f"{word} more {noun}" + ("" if n == 1 else "s")


def _span(terms: list[Term]) -> str:
    if not terms:
        return "no terms"
    return terms[0].label if len(terms) == 1 else f"{terms[0].label} to {terms[-1].label}"


# --- crime, ASB and education ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Schooling:
    """A child's attendance and exclusions over a set of terms."""

    possible: int
    unauthorised: int
    fixed: int
    permanent: int

    def problem(self, settings: Phase1Settings) -> bool:
        """Unauthorised absence at or over the threshold, too many fixed exclusions, or any
        permanent one (no attendance returns = no rate, which is no absence problem)."""
        absent = self.possible > 0 and self.unauthorised * 100 >= settings.absence_percent * self.possible
        return absent or self.fixed >= settings.fixed_exclusions or self.permanent > 0

    def absence(self) -> str:
        return _percent(self.unauthorised, self.possible) if self.possible else "no returns"


def _schooling(member_id: int, terms: list[Term], attendance: dict, exclusions: dict) -> _Schooling:
    keys = {t.key for t in terms}
    rows = [row for row in attendance.get(member_id, ()) if (row.academic_year, row.term) in keys]
    fixed = permanent = 0
    if terms:
        first, last = terms[0].start, terms[-1].end
        for event in exclusions.get(member_id, ()):
            if first <= event.date <= last:
                fixed += event.kind == "fixed_exclusion"
                permanent += event.kind == "permanent_exclusion"
    return _Schooling(sum(r.possible for r in rows), sum(r.unauthorised for r in rows), fixed, permanent)


def _schooling_change(who: str, before: _Schooling, after: _Schooling) -> str:
    text = f"{who} unauthorised absence {before.absence()} -> {after.absence()}"
    if before.fixed or after.fixed:
        text += f", fixed exclusions {before.fixed} -> {after.fixed}"
    if before.permanent or after.permanent:
        text += f", permanent exclusions {before.permanent} -> {after.permanent}"
    return text


def _education(facts: FamilyFacts, settings: Phase1Settings, dates: _Dates, terms: list[Term]) -> _Measure:
    attached, as_of, n = dates.attached, dates.as_of, settings.terms
    baseline = [t for t in terms if t.end < attached][-n:]
    after = [t for t in terms if t.end >= attached]
    measured = [t for t in after if t.end <= as_of][-n:]
    measurable = len(measured) >= n

    attendance, exclusions = defaultdict(list), defaultdict(list)
    for row in facts.attendance:
        if row.possible > 0:
            attendance[row.member_id].append(row)
    for event in facts.events:
        if event.kind in ("fixed_exclusion", "permanent_exclusion"):
            exclusions[event.member_id].append(event)

    children = sorted(
        (m for m in facts.members if age_on(m.date_of_birth, attached) < settings.adult_age),
        key=lambda m: (m.date_of_birth, m.person_ref, m.member_id),
    )
    before = {m.member_id: _schooling(m.member_id, baseline, attendance, exclusions) for m in children}
    now = {m.member_id: _schooling(m.member_id, measured, attendance, exclusions) for m in children}
    with_problem = [m for m in children if before[m.member_id].problem(settings)]
    considered = [m for m in children if now[m.member_id].possible > 0]
    failing = [m for m in considered if now[m.member_id].problem(settings)]
    shown = [m for m in children if m in with_problem or m in considered]
    figures = "; ".join(_schooling_change(m.describe(), before[m.member_id], now[m.member_id]) for m in shown)
    terms_text = f"baseline {_span(baseline)}, measured {_span(measured)}"

    if not with_problem:
        new_problem = measurable and bool(failing)
        reason = f"education: not relevant, no child with a problem over {_span(baseline)}"
        if new_problem:
            reason = f"education: not relevant, new problem ({terms_text}): {figures}"
        return _Measure(False, measurable, False, new_problem, new_problem, reason)

    if not measurable:
        short = n - len(measured)
        reason = f"education: relevant, not yet measurable: {len(measured)} of {n} terms ended ({terms_text})"
        if figures:
            reason += f": {figures}"
        missing = [
            f"{_count(short, 'term')} under {settings.absence_percent}% unauthorised absence for {m.describe()}"
            for m in with_problem
        ]
        return _Measure(True, False, False, False, bool(failing), reason, missing, after[n - 1].end)

    leaving_day = measured[0].start
    unaccounted = [
        m
        for m in with_problem
        if m not in considered and age_on(m.date_of_birth, leaving_day) < settings.school_leaver_age
    ]
    missing = [f"the {t.label} attendance return is missing for {m.describe()}" for m in unaccounted for t in measured]
    missing += [
        f"for {m.describe()}: under {settings.absence_percent}% unauthorised absence, fewer than "
        f"{settings.fixed_exclusions} fixed exclusions and no permanent exclusion over {_span(measured)} "
        f"(now {now[m.member_id].absence()}, {now[m.member_id].fixed} fixed, {now[m.member_id].permanent} permanent)"
        for m in failing
    ]
    met = not failing and not unaccounted
    reason = f"education: relevant, {'met' if met else 'not met'} ({terms_text}): {figures}"
    if unaccounted:
        who = ", ".join(m.describe() for m in unaccounted)
        reason += f"; attendance data missing: no return over {_span(measured)} for {who}, not a school leaver"
    return _Measure(True, True, met, False, bool(failing), reason, missing)


def _reduction(name: str, what: str, baseline: int, recent: int, percent: int, dates: _Dates, months: int) -> _Measure:
    """ASB or youth offending: relevant when there was any in the baseline window, met when the
    recent window shows a fall of at least `percent`."""
    b, r = baseline, recent
    if b == 0:
        if r:
            return _Measure(
                False, dates.crime_measurable, False, True, True, f"{name}: not relevant, new problem: 0 -> {r}"
            )
        return _Measure(False, dates.crime_measurable, False, False, False, f"{name}: not relevant: 0 -> 0")
    if not dates.crime_measurable:
        reason = f"{name}: relevant, not yet measurable: {b} in the {months} months before attachment"
        return _Measure(True, False, False, False, False, reason, wait_until=dates.measurable_from)
    figures = f"{b} -> {r} ({_percent(b - r, b)})"
    if (b - r) * 100 >= percent * b:
        return _Measure(True, True, True, False, False, f"{name}: relevant, met: {figures}")
    most = (100 - percent) * b // 100
    missing = [f"{what} in the last {months} months down to {most} or fewer (now {r})"]
    reason = f"{name}: relevant, not met: {figures}, needs a fall of {percent}%"
    return _Measure(True, True, False, False, True, reason, missing)


def _crime_asb_education(facts: FamilyFacts, settings: Phase1Settings, dates: _Dates, terms: list[Term]) -> _Result:
    born = {m.member_id: m.date_of_birth for m in facts.members}
    asb = [e.date for e in facts.events if e.kind == "asb"]
    offences = [
        e.date
        for e in facts.events
        if e.kind == "offence" and e.member_id in born and age_on(born[e.member_id], e.date) < settings.adult_age
    ]
    months = settings.window_months
    measures = [
        _education(facts, settings, dates, terms),
        _reduction(
            "asb",
            "ASB incidents",
            sum(map(dates.in_baseline, asb)),
            sum(map(dates.in_recent, asb)),
            settings.asb_reduction_percent,
            dates,
            months,
        ),
        _reduction(
            "offending",
            "offences by the family's children",
            sum(map(dates.in_baseline, offences)),
            sum(map(dates.in_recent, offences)),
            settings.offending_reduction_percent,
            dates,
            months,
        ),
    ]
    from_day = dates.measurable_from.isoformat()
    if dates.crime_measurable:
        reasons = [f"measurable: {months} months after attachment was {from_day}"]
    else:
        reasons = [f"not yet measurable: {months} months after attachment is {from_day}"]
    reasons += [m.reason for m in measures]
    relevant = [m for m in measures if m.relevant]
    if not relevant:
        reasons.append("not met: no education, ASB or youth offending problem before attachment")
        return _Result(False, reasons)

    met = dates.crime_measurable and all(m.met for m in relevant) and not any(m.new_problem for m in measures)
    if met:
        return _Result(True, reasons)
    missing = [] if dates.crime_measurable else [f"{months} months since attachment: measurable from {from_day}"]
    missing += [hint for m in measures for hint in m.missing]
    if any(m.failing for m in measures):
        return _Result(False, reasons, missing)
    waits = [m.wait_until for m in relevant if m.wait_until is not None]
    if not dates.crime_measurable:
        waits.append(dates.measurable_from)
    return _Result(False, reasons, missing, max((w - dates.as_of).days for w in waits) if waits else 0)


# --- work --------------------------------------------------------------------------------------


def _spells_by_member(facts: FamilyFacts) -> dict[int, list[SpellFact]]:
    spells = defaultdict(list)
    for spell in facts.spells:
        spells[spell.member_id].append(spell)
    for rows in spells.values():
        rows.sort(key=lambda s: (s.start_date, s.end_date or date.max, s.kind, s.detail or ""))
    return spells


def _benefit_code(spell: SpellFact) -> str:
    return (spell.detail or "").strip().upper()


def _out_of_work(spell: SpellFact, settings: Phase1Settings) -> bool:
    return spell.kind == "benefit" and _benefit_code(spell) in settings.out_of_work_benefits


def _overlaps(spell: SpellFact, first: date, last: date) -> bool:
    return spell.start_date <= last and (spell.end_date is None or spell.end_date >= first)


@dataclass(frozen=True, slots=True)
class _Adult:
    """An adult who was out of work at attachment, with their spells."""

    member: MemberFacts
    #: the out-of-work benefit codes they were on in the 6 months to attachment
    codes: tuple[str, ...]
    spells: tuple[SpellFact, ...]

    def describe(self) -> str:
        return f"{self.member.describe()}, out of work at attachment ({', '.join(self.codes)})"


def _out_of_work_adults(facts: FamilyFacts, settings: Phase1Settings, dates: _Dates) -> list[_Adult]:
    """Members 18 or over on A with an out-of-work benefit spell overlapping A - 6m to A."""
    spells = _spells_by_member(facts)
    adults = []
    for member in sorted(facts.members, key=lambda m: (m.date_of_birth, m.person_ref, m.member_id)):
        if age_on(member.date_of_birth, dates.attached) < settings.adult_age:
            continue
        own = spells.get(member.member_id, [])
        codes = sorted(
            {
                _benefit_code(s)
                for s in own
                if _out_of_work(s, settings) and _overlaps(s, dates.baseline_from, dates.attached)
            }
        )
        if codes:
            adults.append(_Adult(member, tuple(codes), tuple(own)))
    return adults


def _no_adult(months: int) -> str:
    return (
        "not met: no adult was out of work at attachment "
        f"(18 or over, on an out-of-work benefit in the {months} months to it)"
    )


def employment_periods(spells: list[SpellFact]) -> list[tuple[date, date | None]]:
    """Continuous employment periods, earliest first: `employment` spells joined where the next
    starts no later than the day after the previous one ends (end None = still working)."""
    periods: list[tuple[date, date | None]] = []
    for spell in sorted((s for s in spells if s.kind == "employment"), key=lambda s: s.start_date):
        if periods:
            start, end = periods[-1]
            if end is None or spell.start_date <= end + timedelta(days=1):
                later = None if end is None or spell.end_date is None else max(end, spell.end_date)
                periods[-1] = (start, later)
                continue
        periods.append((spell.start_date, spell.end_date))
    return periods


def _continuous_employment(
    facts: FamilyFacts, settings: Phase1Settings, dates: _Dates, adults: list[_Adult]
) -> _Result:
    if not adults:
        return _Result(False, [_no_adult(settings.window_months)])
    days, as_of = settings.employment_days, dates.as_of
    met, reasons, missing, short = False, [], [], []
    for adult in adults:
        who = adult.member.describe()
        known = [s for s in adult.spells if s.start_date <= as_of]
        benefits = [s for s in known if _out_of_work(s, settings)]
        periods = [(start, end) for start, end in employment_periods(known) if start >= dates.attached]
        if not periods:
            reasons.append(f"{adult.describe()}: no employment starting on or after {dates.attached.isoformat()}")
            missing.append(f"{days} days of continuous employment, starting on or after attachment, for {who}")
        for start, end in periods:
            through = start + timedelta(days=days - 1)
            clash = next((b for b in benefits if _overlaps(b, start, min(through, as_of))), None)
            if clash is not None:
                until = clash.end_date.isoformat() if clash.end_date else "still open"
                reasons.append(
                    f"{adult.describe()}: employed from {start.isoformat()}, but on {_benefit_code(clash)} from "
                    f"{clash.start_date.isoformat()} to {until}, within the {days} days"
                )
            elif end is not None and end < through:
                reasons.append(
                    f"{adult.describe()}: employed from {start.isoformat()} to {end.isoformat()}, "
                    f"{(end - start).days + 1} days, fewer than {days}"
                )
            elif through <= as_of:
                met = True
                reasons.append(
                    f"met: {adult.describe()}, employed from {start.isoformat()}: {days} days to "
                    f"{through.isoformat()} with no out-of-work benefit"
                )
            else:
                left = (through - as_of).days
                short.append(left)
                reasons.append(
                    f"{adult.describe()}: employed from {start.isoformat()}, "
                    f"{(as_of - start).days + 1} of {days} days so far"
                )
                missing.append(f"{left} more {'day' if left == 1 else 'days'} of continuous employment for {who}")
    if met:
        return _Result(True, reasons)
    return _Result(False, reasons, missing, min(short) if short else None)


def _progress_to_work(facts: FamilyFacts, settings: Phase1Settings, dates: _Dates, adults: list[_Adult]) -> _Result:
    if not adults:
        return _Result(False, [_no_adult(settings.window_months)])
    kinds = sorted(
        settings.progress_to_work_kinds,
        key=lambda k: (SPELL_KINDS.index(k) if k in SPELL_KINDS else len(SPELL_KINDS), k),
    )
    names = " or ".join(SPELL_LABELS.get(k, k) for k in kinds)
    first = max(dates.attached, dates.recent_after + timedelta(days=1))
    met, reasons, missing = False, [], []
    for adult in adults:
        starts = [s for s in adult.spells if s.kind in settings.progress_to_work_kinds and s.start_date <= dates.as_of]
        hits = [s for s in starts if s.start_date >= first]
        if hits:
            met = True
            reasons.append(f"met: {adult.describe()}, started {hits[0].kind} on {hits[0].start_date.isoformat()}")
            continue
        earlier = "".join(f"; {s.kind} started {s.start_date.isoformat()}" for s in starts)
        reasons.append(
            f"{adult.describe()}: no {names} start between {first.isoformat()} and {dates.as_of.isoformat()}{earlier}"
        )
        missing.append(f"a {names} start for {adult.member.describe()}")
    return _Result(True, reasons) if met else _Result(False, reasons, missing)


# --- what may be claimed -----------------------------------------------------------------------


@dataclass(slots=True)
class _Claim:
    claimable: bool
    amount: int | None
    reasons: list[str]
    #: not ruled out by what has been claimed (or by having no rate): worth working towards
    open: bool


def _claims(met: dict[str, bool], history: ClaimHistory, rates: Rates | None, year: str) -> dict[str, _Claim]:
    """Continuous employment first, as it is preferred when both it and crime/ASB/education may
    be claimed; progress to work last, as it may not be claimed with continuous employment."""
    claims: dict[str, _Claim] = {}
    claimed_now = 0
    for outcome in (CONTINUOUS_EMPLOYMENT, CRIME_ASB_EDUCATION, PROGRESS_TO_WORK):
        refusal = _ruled_out(outcome, history, claims)
        amount = 0
        if refusal is None and rates is None:
            refusal = f"no rate for families attached in {year}"
        elif refusal is None:
            ceiling = rates.continuous_employment
            amount = min(rates.of(outcome), ceiling - history.total - claimed_now)
            if amount <= 0:
                refusal = f"the family's results already add up to the £{ceiling:,} {CONTINUOUS_EMPLOYMENT} rate"
        if refusal is not None:
            claims[outcome] = _Claim(False, None, [f"not claimable: {refusal}"], False)
            continue
        if not met[outcome]:
            claims[outcome] = _Claim(False, None, [], True)
            continue
        claimed_now += amount
        rate = rates.of(outcome)
        if amount == rate:
            reason = f"claimable: £{amount:,} at the {year} rate"
        else:
            reason = f"claimable: £{amount:,}, the {year} rate of £{rate:,} less £{rate - amount:,} already claimed"
        claims[outcome] = _Claim(True, amount, [reason], True)
    employment = claims[CONTINUOUS_EMPLOYMENT]
    if employment.open and not employment.claimable and claims[CRIME_ASB_EDUCATION].claimable:
        employment.reasons.append(f"once {CRIME_ASB_EDUCATION} is claimed, {CONTINUOUS_EMPLOYMENT} cannot be")
    return claims


def _ruled_out(outcome: str, history: ClaimHistory, now: dict[str, _Claim]) -> str | None:
    """Why the claim history (or a result claimed now) rules the result out, if it does."""
    if history.has(outcome):
        return f"{outcome} already claimed (£{history.amount(outcome):,})"
    if outcome == CONTINUOUS_EMPLOYMENT and history.has(CRIME_ASB_EDUCATION):
        return f"the family already has {CRIME_ASB_EDUCATION}"
    if outcome in (CRIME_ASB_EDUCATION, PROGRESS_TO_WORK) and history.has(CONTINUOUS_EMPLOYMENT):
        return f"the family already has {CONTINUOUS_EMPLOYMENT}"
    if outcome in (CRIME_ASB_EDUCATION, PROGRESS_TO_WORK) and now[CONTINUOUS_EMPLOYMENT].claimable:
        return f"{CONTINUOUS_EMPLOYMENT} is claimed now instead"
    return None
