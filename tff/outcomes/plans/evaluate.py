"""A family measured against an outcome plan (`outcome-plans.md`): significant and sustained
progress against every problem identified for it, and (for plans that keep it) continuous
employment, as of a date, with what may be claimed given what has been claimed before.

`evaluate_plan()` is a pure function of the facts, the plan, the term calendar, the claim
history, the dates and the verified outcomes, like phase one's `evaluate()`, whose helpers it
reuses. Percentages are compared in whole numbers, never in floating point."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from tff.evidence.kinds import OUT_OF_WORK_BENEFITS, SPELL_LABELS
from tff.outcomes.decisions import Decision
from tff.outcomes.facts import ClaimHistory, FamilyFacts, MemberFacts, Term, TermCalendar
from tff.outcomes.phase1 import (
    Phase1Settings,
    _continuous_employment,
    _Dates,
    _out_of_work_adults,
    _percent,
    age_on,
)
from tff.outcomes.plans.document import MIN_PROBLEMS, PHASE2, PlanDocument, Problem

SIGNIFICANT_SUSTAINED_PROGRESS = "significant_sustained_progress"
CONTINUOUS_EMPLOYMENT = "continuous_employment"
#: an adult is this age or over on the date that matters; a child is under it
ADULT_AGE = 18
#: a result that would be met within this many days if nothing else changes is a near miss
NEAR_MISS_DAYS = 183
#: how reasons name the frameworks
FRAMEWORK_NAMES = {PHASE2: "phase two", "supporting_families": "Supporting Families"}


def plan_outcomes(plan: PlanDocument) -> tuple[str, ...]:
    """The results of a plan, in the order decisions come out."""
    if plan.rates.continuous_employment is None:
        return (SIGNIFICANT_SUSTAINED_PROGRESS,)
    return (SIGNIFICANT_SUSTAINED_PROGRESS, CONTINUOUS_EMPLOYMENT)


def evaluate_plan(
    facts: FamilyFacts,
    plan: PlanDocument,
    problems: list[str],
    calendar: TermCalendar,
    history: ClaimHistory,
    as_of: date,
    closed_on: date | None = None,
    verified: frozenset[str] = frozenset(),
    out_of_work_benefits: frozenset[str] = OUT_OF_WORK_BENEFITS,
    problem_members: Mapping[str, frozenset[int]] | None = None,
) -> list[Decision]:
    """One decision per result of the plan (`plan_outcomes`) for the family as of `as_of`.

    `problems` are the codes of the plan's problems identified for the family at attachment;
    `closed_on` the day its case closed (None while open); `verified` the practitioner-verified
    outcome codes recorded and approved for it; `problem_members` optionally the member ids
    identified with each problem, which measures with `members: with_problem` look at (a problem
    with none given looks at everyone)."""
    if facts.programme != plan.framework:
        raise ValueError(f"family {facts.family_ref} is on {facts.programme}, not {plan.framework}")
    outcomes = plan_outcomes(plan)
    rule_set = plan.rule_set
    attached = facts.attached_on
    if attached is None:
        reason = "not attached: a family has results only once it is attached"
        return [Decision(facts.family_ref, rule_set, o, False, False, None, [reason]) for o in outcomes]

    two_years = timedelta(days=731)
    terms = calendar.covering(attached - two_years, max(attached, as_of) + two_years).in_date_order()
    context = _Context(facts, attached, as_of, terms, frozenset(verified), out_of_work_benefits, problem_members or {})
    header = f"{rule_set}: attached {attached.isoformat()}, as of {as_of.isoformat()}"
    results = {SIGNIFICANT_SUSTAINED_PROGRESS: _progress(context, plan, list(problems), closed_on)}
    if CONTINUOUS_EMPLOYMENT in outcomes:
        results[CONTINUOUS_EMPLOYMENT] = _employment(context, plan)
    claims = _claims({o: r.passed for o, r in results.items()}, history, plan)

    decisions = []
    for outcome in outcomes:
        result, claim = results[outcome], claims[outcome]
        still_wanted = not result.passed and claim.open
        near = (result.wait_until - as_of).days if still_wanted and result.wait_until is not None else None
        decisions.append(
            Decision(
                family_ref=facts.family_ref,
                rule_set=rule_set,
                outcome=outcome,
                met=result.passed,
                claimable=claim.claimable,
                amount=claim.amount,
                reasons=[header, *result.reasons, *claim.reasons],
                missing=list(dict.fromkeys(result.missing)) if still_wanted else [],
                near_miss=near if near is not None and near <= NEAR_MISS_DAYS else None,
            )
        )
    return decisions


# --- what every measure reads ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Context:
    facts: FamilyFacts
    attached: date
    as_of: date
    #: every term of the calendar around the dates, earliest first
    terms: list[Term]
    verified: frozenset[str]
    out_of_work_benefits: frozenset[str]
    problem_members: Mapping[str, frozenset[int]]

    def members(self, which: str, problem: str, day: date | None = None) -> list[MemberFacts]:
        """The members a measure looks at, children and adults told apart by age on `day`
        (attachment by default), in a fixed order."""
        day = day or self.attached
        ordered = sorted(self.facts.members, key=lambda m: (m.date_of_birth, m.person_ref, m.member_id))
        if which == "children":
            return [m for m in ordered if age_on(m.date_of_birth, day) < ADULT_AGE]
        if which == "adults":
            return [m for m in ordered if age_on(m.date_of_birth, day) >= ADULT_AGE]
        if which == "with_problem" and problem in self.problem_members:
            ids = self.problem_members[problem]
            return [m for m in ordered if m.member_id in ids]
        return ordered

    def counts(self, which: str, problem: str, member_id: int, day: date) -> bool:
        """Whether an event of this member on this day counts for the member set (children and
        adults by age on the event's day, as phase one counts youth offending)."""
        member = next((m for m in self.facts.members if m.member_id == member_id), None)
        if member is None:
            return which == "everyone" or (which == "with_problem" and problem not in self.problem_members)
        return member in self.members(which, problem, day)

    def measured_terms(self, n: int) -> tuple[list[Term], date | None]:
        """The last `n` terms ending between attachment and as-of (as phase one's measurement
        terms), and, when fewer have ended, the day the `n`th will have."""
        after = [t for t in self.terms if t.end >= self.attached]
        measured = [t for t in after if t.end <= self.as_of][-n:]
        if len(measured) >= n:
            return measured, None
        return measured, after[n - 1].end if len(after) >= n else None


@dataclass(slots=True)
class _Check:
    """What a measure, a combination of measures, a problem or a result came to."""

    passed: bool
    reasons: list[str]
    missing: list[str] = field(default_factory=list)
    #: failing only for want of time: the day it could pass if nothing else changes
    wait_until: date | None = None


def _terms_label(terms: list[Term]) -> str:
    return ", ".join(t.label for t in terms) if terms else "no terms"


def _verdict(passed: bool) -> str:
    return "passes" if passed else "fails"


def _kinds(kinds: list[str]) -> str:
    return " or ".join(kinds)


def _members_note(context: _Context, which: str, problem: str) -> str:
    if which == "with_problem" and problem not in context.problem_members:
        return " (no members named with the problem: everyone)"
    return "" if which in ("everyone",) else f" ({which})"


# --- the measures ------------------------------------------------------------------------------


def _not_yet(code: str, what: str, until: date | None, why: str) -> _Check:
    if until is None:
        return _Check(False, [f"{code}: {what}: not yet measurable: {why}: fails"], [f"{what}: {why}"])
    return _Check(
        False,
        [f"{code}: {what}: not yet measurable: {why}, measurable from {until.isoformat()}: fails"],
        [f"{what}: measurable from {until.isoformat()}"],
        until,
    )


@dataclass(slots=True)
class _Sessions:
    """A child's sessions in a term (or terms), added up over its returns (a pupil who moved
    school has one per school)."""

    possible: int = 0
    authorised: int = 0
    unauthorised: int = 0

    def add(self, other) -> None:
        self.possible += other.possible
        self.authorised += other.authorised
        self.unauthorised += other.unauthorised

    @property
    def attended(self) -> int:
        """Sessions attended: possible less every absence, authorised and unauthorised alike
        (the attendance rate's reading in `outcome-plans.md`)."""
        return self.possible - self.authorised - self.unauthorised

    def attendance_at_least(self, percent: int) -> bool:
        return self.attended * 100 >= percent * self.possible

    def figures(self) -> str:
        """`85% (100 possible, 10 authorised, 5 unauthorised absent)`: the rate and what it is from."""
        return (
            f"{_percent(self.attended, self.possible)} ({self.possible:,} possible, "
            f"{self.authorised:,} authorised, {self.unauthorised:,} unauthorised absent)"
        )


def _school(context: _Context, code: str, test: dict) -> tuple[list[Term], dict, list[MemberFacts], _Check | None]:
    """The measured terms, each member's sessions (`_Sessions`) per term, and the members
    considered (with a return in those terms); or a failing check when not measurable."""
    n = test["terms"]
    measured, until = context.measured_terms(n)
    members = context.members(test["members"], code)
    if until is not None or len(measured) < n:
        what = f"{test['measure'].replace('_', ' ')} over the last {n} terms"
        return (
            measured,
            {},
            members,
            _not_yet(code, what, until, f"{len(measured)} of {n} terms ended since attachment"),
        )
    keys = {t.key: t for t in measured}
    sessions: dict[int, dict[tuple[str, str], _Sessions]] = defaultdict(lambda: defaultdict(_Sessions))
    for row in context.facts.attendance:
        if row.possible > 0 and (row.academic_year, row.term) in keys:
            sessions[row.member_id][(row.academic_year, row.term)].add(row)
    considered = [m for m in members if m.member_id in sessions]
    return measured, sessions, considered, None


def _unaccounted(context: _Context, code: str, test: dict, considered: list[MemberFacts]) -> list[MemberFacts]:
    """Members named with the problem who have no return: missing data."""
    if test["members"] != "with_problem" or code not in context.problem_members:
        return []
    return [m for m in context.members("with_problem", code) if m not in considered]


def _attendance_rate(context: _Context, code: str, test: dict) -> _Check:
    """Sessions attended over possible sessions, every absence counted (authorised and
    unauthorised), per child in each measured term or over the terms together."""
    measured, sessions, considered, early = _school(context, code, test)
    if early is not None:
        return early
    p, each = test["at_least_percent"], test["mode"] == "each"
    what = f"attendance at least {p}% {'in each of' if each else 'over'} {_terms_label(measured)}"
    figures, missing, passed = [], [], True
    for member in considered:
        per_term = sessions[member.member_id]
        if each:
            shown = []
            for term in measured:
                term_sessions = per_term.get(term.key)
                if term_sessions is None:
                    shown.append(f"{term.label} no return")
                    passed = False
                    missing.append(f"the {term.label} attendance return for {member.describe()}")
                    continue
                ok = term_sessions.attendance_at_least(p)
                passed &= ok
                shown.append(f"{term.label} {term_sessions.figures()}")
                if not ok:
                    missing.append(f"attendance of {p}% or more in {term.label} for {member.describe()}")
            figures.append(f"{member.describe()} {', '.join(shown)}")
        else:
            total = _Sessions()
            for term_sessions in per_term.values():
                total.add(term_sessions)
            ok = total.attendance_at_least(p)
            passed &= ok
            figures.append(f"{member.describe()} {total.figures()}")
            if not ok:
                missing.append(f"attendance of {p}% or more over {_terms_label(measured)} for {member.describe()}")
    return _school_result(context, code, test, what, figures, missing, passed, considered, measured)


def _unauthorised_absence(context: _Context, code: str, test: dict) -> _Check:
    """Unauthorised absence sessions over possible sessions, per child over the measured terms
    together, as phase one reads it (authorised absence is not counted)."""
    measured, sessions, considered, early = _school(context, code, test)
    if early is not None:
        return early
    p = test["below_percent"]
    what = f"unauthorised absence below {p}% over {_terms_label(measured)}"
    figures, missing, passed = [], [], True
    for member in considered:
        possible = sum(f.possible for f in sessions[member.member_id].values())
        unauthorised = sum(f.unauthorised for f in sessions[member.member_id].values())
        ok = unauthorised * 100 < p * possible
        passed &= ok
        sign = "<" if ok else ">="
        figures.append(f"{member.describe()} {_percent(unauthorised, possible)} {sign} {p}%")
        if not ok:
            missing.append(f"unauthorised absence under {p}% over {_terms_label(measured)} for {member.describe()}")
    return _school_result(context, code, test, what, figures, missing, passed, considered, measured)


def _school_result(context, code, test, what, figures, missing, passed, considered, measured) -> _Check:
    unaccounted = _unaccounted(context, code, test, considered)
    if not considered and not unaccounted:
        reason = f"{code}: {what}: no attendance returns for any child{_members_note(context, test['members'], code)}"
        return _Check(False, [f"{reason}: fails"], [f"attendance returns over {_terms_label(measured)}"])
    for member in unaccounted:
        figures.append(f"{member.describe()} no returns")
        missing.append(f"attendance returns over {_terms_label(measured)} for {member.describe()}")
    passed = passed and not unaccounted
    return _Check(passed, [f"{code}: {what}: {'; '.join(figures)}: {_verdict(passed)}"], [] if passed else missing)


def _exclusions(context: _Context, code: str, test: dict) -> _Check:
    n, fewer, most = test["terms"], test["fixed_fewer_than"], test["permanent_at_most"]
    measured, until = context.measured_terms(n)
    what = f"exclusions fewer than {fewer} fixed and at most {most} permanent over the last {n} terms"
    if until is not None or len(measured) < n:
        return _not_yet(code, what, until, f"{len(measured)} of {n} terms ended since attachment")
    first, last = measured[0].start, measured[-1].end
    fixed, permanent = 0, 0
    for event in context.facts.events:
        if first <= event.date <= last and context.counts(test["members"], code, event.member_id, event.date):
            fixed += event.kind == "fixed_exclusion"
            permanent += event.kind == "permanent_exclusion"
    passed = fixed < fewer and permanent <= most
    reason = (
        f"{code}: exclusions over {_terms_label(measured)}{_members_note(context, test['members'], code)}: "
        f"{fixed} fixed (fewer than {fewer} needed), {permanent} permanent (at most {most}): {_verdict(passed)}"
    )
    missing = [] if passed else [f"fewer than {fewer} fixed and at most {most} permanent exclusions over {n} terms"]
    return _Check(passed, [reason], missing)


def _window(context: _Context, months: int) -> tuple[date, date]:
    """The first day of the last `months` months to as-of, and the day that window lies wholly
    after attachment (a measure of sustained progress needs that)."""
    span = relativedelta(months=months)
    return context.as_of - span + timedelta(days=1), context.attached + span


def _event_count(context: _Context, code: str, test: dict) -> _Check:
    kinds, months, most = test["kinds"], test["months"], test["at_most"]
    what = f"{_kinds(kinds)} events in the last {months} months"
    first, measurable = _window(context, months)
    if context.as_of < measurable:
        return _not_yet(code, what, measurable, f"{months} months since attachment")
    count = sum(
        1
        for e in context.facts.events
        if e.kind in kinds
        and first <= e.date <= context.as_of
        and context.counts(test["members"], code, e.member_id, e.date)
    )
    passed = count <= most
    reason = (
        f"{code}: {what} ({first.isoformat()} to {context.as_of.isoformat()})"
        f"{_members_note(context, test['members'], code)}: {count}, at most {most}: {_verdict(passed)}"
    )
    missing = [] if passed else [f"{most} or fewer {_kinds(kinds)} events in the last {months} months (now {count})"]
    return _Check(passed, [reason], missing)


def _event_reduction(context: _Context, code: str, test: dict) -> _Check:
    kinds, percent, months = test["kinds"], test["percent"], test["months"]
    dates = _Dates.of(context.attached, context.as_of, months)
    what = f"{_kinds(kinds)} down at least {percent}% against the {months} months before attachment"
    if not dates.crime_measurable:
        return _not_yet(code, what, dates.measurable_from, f"{months} months since attachment")
    b = r = 0
    for e in context.facts.events:
        if e.kind in kinds and context.counts(test["members"], code, e.member_id, e.date):
            b += dates.in_baseline(e.date)
            r += dates.in_recent(e.date)
    note = _members_note(context, test["members"], code)
    if b == 0:
        passed = r == 0
        reason = f"{code}: {what}{note}: none before attachment, {r} in the last {months} months: {_verdict(passed)}"
        missing = [] if passed else [f"no {_kinds(kinds)} events in the last {months} months (now {r})"]
        return _Check(passed, [reason], missing)
    passed = (b - r) * 100 >= percent * b
    reason = f"{code}: {what}{note}: {b} -> {r} ({_percent(b - r, b)}): {_verdict(passed)}"
    most = (100 - percent) * b // 100
    missing = (
        [] if passed else [f"{_kinds(kinds)} events in the last {months} months down to {most} or fewer (now {r})"]
    )
    return _Check(passed, [reason], missing)


def _spell_state(context: _Context, code: str, test: dict) -> _Check:
    kinds, months = test["kinds"], test["months"]
    names = " or ".join(SPELL_LABELS.get(k, k) for k in kinds)
    what = f"no open {names} in the last {months} months"
    first, measurable = _window(context, months)
    if context.as_of < measurable:
        return _not_yet(code, what, measurable, f"{months} months since attachment")
    members = {m.member_id for m in context.members(test["members"], code)}
    open_spells = sorted(
        (
            s
            for s in context.facts.spells
            if s.kind in kinds
            and s.member_id in members
            and s.start_date <= context.as_of
            and (s.end_date is None or s.end_date >= first)
        ),
        key=lambda s: (s.start_date, s.end_date or date.max, s.kind, s.member_id),
    )
    passed = not open_spells
    seen = "; ".join(
        f"{s.kind} {s.start_date.isoformat()} to {s.end_date.isoformat() if s.end_date else 'still open'}"
        for s in open_spells
    )
    reason = (
        f"{code}: {what} ({first.isoformat()} to {context.as_of.isoformat()}): {seen or 'none'}: {_verdict(passed)}"
    )
    if passed:
        return _Check(True, [reason])
    ends = [s.end_date for s in open_spells]
    wait = None
    if all(e is not None for e in ends):
        wait = _window_clear_of(max(ends), months)
    return _Check(False, [reason], [f"{months} months with no open {names}"], wait)


def _window_clear_of(last: date, months: int) -> date:
    """The first as-of date whose last `months` months (`_window`) start after `last`: about
    `last` + months, a day or more later when `last` is near a month's end (a spell ended on 31
    August is still in the six months to 29 February, which start on 30 August)."""
    span = relativedelta(months=months)
    day = last + span
    while day - span + timedelta(days=1) <= last:
        day += timedelta(days=1)
    return day


def _employment_settings(context: _Context, weeks: int) -> Phase1Settings:
    return Phase1Settings(employment_days=weeks * 7, out_of_work_benefits=context.out_of_work_benefits)


def _continuous(context: _Context, code: str, test: dict) -> _Check:
    weeks = test["weeks"]
    settings = _employment_settings(context, weeks)
    dates = _Dates.of(context.attached, context.as_of, settings.window_months)
    facts = replace(context.facts, members=tuple(context.members(test["members"], code)))
    result = _continuous_employment(facts, settings, dates, _out_of_work_adults(facts, settings, dates))
    reasons = [f"{code}: continuous employment {weeks} weeks: {r}" for r in result.reasons]
    reasons[-1] += f": {_verdict(result.met)}"
    wait = context.as_of + timedelta(days=result.near_miss) if result.near_miss is not None else None
    return _Check(result.met, reasons, [] if result.met else list(result.missing), wait)


def _progress_to_work(context: _Context, code: str, test: dict) -> _Check:
    kinds = test["kinds"]
    names = " or ".join(SPELL_LABELS.get(k, k) for k in kinds)
    members = context.members(test["members"], code)
    ids = {m.member_id for m in members}
    starts = sorted(
        (
            s
            for s in context.facts.spells
            if s.kind in kinds and s.member_id in ids and context.attached <= s.start_date <= context.as_of
        ),
        key=lambda s: (s.start_date, s.kind, s.member_id),
    )
    who = {m.member_id: m.describe() for m in members}
    passed = bool(starts)
    seen = "; ".join(f"{who[s.member_id]} started {s.kind} on {s.start_date.isoformat()}" for s in starts)
    reason = (
        f"{code}: progress to work, a {names} start since attachment"
        f"{_members_note(context, test['members'], code)}: {seen or 'none'}: {_verdict(passed)}"
    )
    return _Check(passed, [reason], [] if passed else [f"a {names} start for an adult of the family"])


def _verified(context: _Context, code: str, test: dict) -> _Check:
    outcome = test["outcome"]
    passed = outcome in context.verified
    state = "recorded and approved" if passed else "not recorded"
    reason = f"{code}: practitioner-verified outcome {outcome!r}: {state}: {_verdict(passed)}"
    missing = [
        f"the practitioner-verified outcome {outcome!r}, recorded by the lead worker with an evidence note "
        "and approved by a manager"
    ]
    return _Check(passed, [reason], [] if passed else missing)


_MEASURES = {
    "attendance_rate": _attendance_rate,
    "unauthorised_absence": _unauthorised_absence,
    "exclusions": _exclusions,
    "event_count": _event_count,
    "event_reduction": _event_reduction,
    "spell_state": _spell_state,
    "continuous_employment": _continuous,
    "progress_to_work": _progress_to_work,
    "verified": _verified,
}


# --- tests, problems and results -----------------------------------------------------------------


def _test(context: _Context, code: str, node: dict) -> _Check:
    if "measure" in node:
        return _MEASURES[node["measure"]](context, code, node)
    if "not" in node:
        inner = _test(context, code, node["not"])
        passed = not inner.passed
        reasons = [*inner.reasons, f"{code}: not: the test above {_verdict(inner.passed)}, so {_verdict(passed)}"]
        missing = [] if passed else [f"{code}: the opposite of: {inner.reasons[-1]}"]
        return _Check(passed, reasons, missing)
    head = "all_of" if "all_of" in node else "any_of"
    parts = [_test(context, code, item) for item in node[head]]
    reasons = [r for p in parts for r in p.reasons]
    count = sum(p.passed for p in parts)
    if head == "all_of":
        passed = count == len(parts)
        failing = [p for p in parts if not p.passed]
        waits = [p.wait_until for p in failing]
        wait = max(waits) if failing and all(w is not None for w in waits) else None
        missing = [m for p in failing for m in p.missing]
    else:
        passed = count > 0
        waits = [p.wait_until for p in parts if p.wait_until is not None]
        wait = None if passed or not waits else min(waits)
        missing = [] if passed else [" or ".join(m for p in parts for m in p.missing[:1])]
    word = "all of" if head == "all_of" else "any of"
    reasons.append(f"{code}: {word} {len(parts)} tests, {count} pass: {_verdict(passed)}")
    return _Check(passed, reasons, [] if passed else missing, None if passed else wait)


def _problem(context: _Context, problem: Problem) -> _Check:
    check = _test(context, problem.code, problem.test)
    summary = f"{problem.code} ({problem.title}): {_verdict(check.passed)}"
    missing = [f"{problem.code}: {m}" for m in check.missing]
    return _Check(check.passed, [*check.reasons, summary], missing, check.wait_until)


def _progress(context: _Context, plan: PlanDocument, problems: list[str], closed_on: date | None) -> _Check:
    codes = sorted(set(problems), key=lambda c: ([p.code for p in plan.problems] + [c]).index(c))
    unknown = [c for c in codes if plan.problem(c) is None]
    known = [plan.problem(c) for c in codes if plan.problem(c) is not None]
    reasons = [f"problems identified at attachment: {', '.join(codes) if codes else 'none'}"]
    blocked, missing = False, []
    if unknown:
        blocked = True
        reasons.append(
            f"not met: {', '.join(repr(c) for c in unknown)} not a problem of {plan.rule_set}; "
            f"its problems are {', '.join(p.code for p in plan.problems)}"
        )
    fewest = MIN_PROBLEMS[plan.framework]
    if len(codes) < fewest:
        blocked = True
        reasons.append(
            f"not met: a {FRAMEWORK_NAMES[plan.framework]} family has at least {fewest} headline problems; "
            f"{len(codes)} identified"
        )
        missing.append(f"at least {fewest} headline problems identified at attachment")

    checks = [_problem(context, p) for p in known]
    for check in checks:
        reasons.extend(check.reasons)
        missing.extend(check.missing)
    waits = [c.wait_until for c in checks if not c.passed]

    months = plan.sustain_months_after_closure
    if months:
        if closed_on is not None and closed_on > context.as_of:
            blocked = True
            reasons.append(
                f"not met: the case was still open on the as-of date (it closed {closed_on.isoformat()}); "
                f"progress must be sustained {months} months after it closes"
            )
            missing.append(f"the case closed, then {months} months with progress sustained")
        elif closed_on is None:
            blocked = True
            reasons.append(
                f"not met: the case is still open; progress must be sustained {months} months after it closes"
            )
            missing.append(f"the case closed, then {months} months with progress sustained")
        else:
            sustained = closed_on + relativedelta(months=months)
            if sustained > context.as_of:
                waits.append(sustained)
                reasons.append(
                    f"case closed {closed_on.isoformat()}: sustained {months} months on {sustained.isoformat()}, "
                    "after the as-of date"
                )
                missing.append(f"progress sustained until {sustained.isoformat()}, {months} months after closure")
            else:
                reasons.append(
                    f"case closed {closed_on.isoformat()}: {months} months after closure by {sustained.isoformat()}"
                )

    passed = not blocked and all(c.passed for c in checks) and not waits
    if passed:
        reasons.append(f"met: significant and sustained progress against every problem ({len(checks)})")
        return _Check(True, reasons)
    failing = [c.code for c, check in zip(known, checks, strict=True) if not check.passed]
    if failing:
        reasons.append(f"not met: no significant and sustained progress yet against {', '.join(failing)}")
    wait = None if blocked or any(w is None for w in waits) or not waits else max(waits)
    return _Check(False, reasons, missing, wait)


def _employment(context: _Context, plan: PlanDocument) -> _Check:
    """The plan's continuous employment result: an adult out of work at attachment in
    continuous employment for the plan's weeks, as phase one."""
    settings = _employment_settings(context, plan.continuous_employment_weeks)
    dates = _Dates.of(context.attached, context.as_of, settings.window_months)
    result = _continuous_employment(context.facts, settings, dates, _out_of_work_adults(context.facts, settings, dates))
    reasons = [f"continuous employment, {plan.continuous_employment_weeks} weeks: {r}" for r in result.reasons]
    wait = context.as_of + timedelta(days=result.near_miss) if result.near_miss is not None else None
    return _Check(result.met, reasons, [] if result.met else list(result.missing), wait)


# --- what may be claimed -------------------------------------------------------------------------


@dataclass(slots=True)
class _Claim:
    claimable: bool
    amount: int | None
    reasons: list[str]
    #: not ruled out by what has been claimed: worth working towards
    open: bool


def _claims(met: dict[str, bool], history: ClaimHistory, plan: PlanDocument) -> dict[str, _Claim]:
    """Each result at most once ever, and the two together never more than the plan's result
    rate: continuous employment is looked at first, as phase one prefers it when both may be
    claimed at once."""
    rates = plan.rates
    ceiling = rates.result
    already = sum(history.amount(o) for o in met)
    claims: dict[str, _Claim] = {}
    claimed_now = 0
    for outcome in sorted(met, key=lambda o: o != CONTINUOUS_EMPLOYMENT):
        others = [o for o in met if o != outcome]
        rate = rates.result if outcome == SIGNIFICANT_SUSTAINED_PROGRESS else rates.continuous_employment
        refusal = None
        if history.has(outcome):
            refusal = f"{outcome} already claimed (£{history.amount(outcome):,})"
        elif any(history.has(o) for o in others):
            refusal = f"the family already has {next(o for o in others if history.has(o))}"
        elif any(claims.get(o) is not None and claims[o].claimable for o in others):
            refusal = f"{next(o for o in others if claims.get(o) and claims[o].claimable)} is claimed now instead"
        amount = 0
        if refusal is None:
            amount = min(rate, ceiling - already - claimed_now)
            if amount <= 0:
                refusal = f"the family's results already add up to the £{ceiling:,} result rate of {plan.rule_set}"
        if refusal is not None:
            claims[outcome] = _Claim(False, None, [f"not claimable: {refusal}"], False)
            continue
        if not met[outcome]:
            claims[outcome] = _Claim(False, None, [], True)
            continue
        claimed_now += amount
        if amount == rate:
            reason = f"claimable: £{amount:,} at the {plan.rule_set} rate"
        else:
            reason = (
                f"claimable: £{amount:,}, the {plan.rule_set} rate of £{rate:,} less £{rate - amount:,} already claimed"
            )
        claims[outcome] = _Claim(True, amount, [reason], True)
    return claims
