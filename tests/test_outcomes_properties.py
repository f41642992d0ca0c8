"""Properties of the phase one rules engine over generated families: it is deterministic, blind
to the order of the facts' rows, never rewarded by more ASB, and never lets a result be claimed
twice or the family's results add up to more than the continuous employment rate."""

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tff.outcomes.facts import (
    AttendanceFact,
    ClaimHistory,
    EventFact,
    FamilyFacts,
    MemberFacts,
    SpellFact,
    TermCalendar,
)
from tff.outcomes.phase1 import (
    CONTINUOUS_EMPLOYMENT,
    CRIME_ASB_EDUCATION,
    OUTCOMES,
    PROGRESS_TO_WORK,
    Phase1Settings,
    evaluate,
    financial_year_of,
)

SETTINGS = Phase1Settings()
CALENDAR = TermCalendar()
#: the evidence dates generated lie within this span
FIRST, LAST = date(2011, 1, 1), date(2016, 6, 30)
ACADEMIC_YEARS = ("2010/11", "2011/12", "2012/13", "2013/14", "2014/15", "2015/16")

examples = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def days_between(first: date, last: date):
    return st.integers(0, (last - first).days).map(lambda n: first + timedelta(days=n))


@st.composite
def families(draw):
    attached = draw(days_between(date(2012, 4, 1), date(2015, 6, 30)))
    members = [
        MemberFacts(1, "P1", "Adult A", draw(days_between(date(1960, 1, 1), date(1996, 12, 31)))),
        MemberFacts(2, "P2", "Child B", draw(days_between(date(1995, 1, 1), date(2008, 12, 31)))),
        MemberFacts(3, "P3", "Child C", draw(days_between(date(1997, 1, 1), date(2008, 12, 31)))),
    ]
    ids = st.sampled_from([1, 2, 3])
    attendance = draw(
        st.lists(
            st.builds(
                lambda member, year, term, possible, share: AttendanceFact(
                    member, year, term, possible, possible * share // 100
                ),
                ids,
                st.sampled_from(ACADEMIC_YEARS),
                st.sampled_from(("autumn", "spring", "summer")),
                st.integers(0, 150),
                st.integers(0, 40),
            ),
            max_size=12,
        )
    )
    near = days_between(attached - timedelta(days=240), attached + timedelta(days=540))
    events = draw(
        st.lists(
            st.builds(
                EventFact,
                ids,
                st.sampled_from(("asb", "offence", "fixed_exclusion", "permanent_exclusion", "police_callout")),
                near,
            ),
            max_size=12,
        )
    )
    spells = draw(st.lists(spells_of(near), max_size=4)) + draw(work_story(attached))
    return FamilyFacts(1, "F001", "phase1", attached, tuple(members), tuple(attendance), tuple(events), tuple(spells))


@st.composite
def spells_of(draw, starts):
    kind = draw(st.sampled_from(("benefit", "benefit", "employment", "employment", "work_programme", "esf")))
    detail = draw(st.sampled_from(("JSA", "ESA", "UC", "HB"))) if kind == "benefit" else None
    start = draw(starts)
    length = draw(st.one_of(st.none(), st.integers(0, 400)))
    end = None if length is None else start + timedelta(days=length)
    return SpellFact(draw(st.sampled_from([1, 1, 2])), kind, detail, start, end)


@st.composite
def work_story(draw, attached):
    """Often enough to meet the work results: the adult on an out-of-work benefit around
    attachment, then in work or on a programme, perhaps back on benefit."""
    if not draw(st.booleans()):
        return []
    after = days_between(attached, attached + timedelta(days=500))
    benefit_end = draw(days_between(attached - timedelta(days=100), attached + timedelta(days=200)))
    spells = [
        SpellFact(1, "benefit", draw(st.sampled_from(("JSA", "ESA"))), attached - timedelta(days=300), benefit_end)
    ]
    for _ in range(draw(st.integers(0, 2))):
        start = draw(after)
        length = draw(st.one_of(st.none(), st.integers(0, 300)))
        spells.append(
            SpellFact(1, "employment", None, start, None if length is None else start + timedelta(days=length))
        )
    if draw(st.booleans()):
        spells.append(SpellFact(1, draw(st.sampled_from(("work_programme", "esf"))), None, draw(after), None))
    return spells


def as_of_for(facts: FamilyFacts):
    return days_between(facts.attached_on - timedelta(days=30), facts.attached_on + timedelta(days=800))


#: claim histories a family can have had: what the rules allow to be claimed together
HISTORIES = (
    (),
    (PROGRESS_TO_WORK,),
    (CRIME_ASB_EDUCATION,),
    (CONTINUOUS_EMPLOYMENT,),
    (CRIME_ASB_EDUCATION, PROGRESS_TO_WORK),
    (PROGRESS_TO_WORK, CONTINUOUS_EMPLOYMENT),
)


def history_for(facts: FamilyFacts, outcomes) -> ClaimHistory:
    """Those outcomes claimed at their rates (continuous employment after progress to work at
    the difference)."""
    rates = SETTINGS.rates.get(financial_year_of(facts.attached_on))
    if rates is None:
        return ClaimHistory()
    claimed = {o: rates.of(o) for o in outcomes}
    if PROGRESS_TO_WORK in claimed and CONTINUOUS_EMPLOYMENT in claimed:
        claimed[CONTINUOUS_EMPLOYMENT] -= claimed[PROGRESS_TO_WORK]
    return ClaimHistory(claimed)


@examples
@given(data=st.data())
def test_the_same_facts_give_the_same_decisions(data):
    facts = data.draw(families())
    as_of = data.draw(as_of_for(facts))

    first = evaluate(facts, SETTINGS, CALENDAR, ClaimHistory(), as_of)
    again = evaluate(facts, SETTINGS, CALENDAR, ClaimHistory(), as_of)

    assert first == again
    assert [d.outcome for d in first] == list(OUTCOMES)
    for decision in first:
        assert decision.claimable == (decision.amount is not None)
        assert not decision.claimable or decision.met


@examples
@given(data=st.data())
def test_the_order_of_the_rows_makes_no_difference(data):
    facts = data.draw(families())
    as_of = data.draw(as_of_for(facts))
    history = history_for(facts, data.draw(st.sampled_from(HISTORIES)))
    shuffled = replace(
        facts,
        attendance=tuple(data.draw(st.permutations(facts.attendance))),
        events=tuple(data.draw(st.permutations(facts.events))),
        spells=tuple(data.draw(st.permutations(facts.spells))),
    )

    assert evaluate(shuffled, SETTINGS, CALENDAR, history, as_of) == evaluate(facts, SETTINGS, CALENDAR, history, as_of)


@examples
@given(data=st.data())
def test_more_asb_in_the_recent_window_never_meets_crime_asb_education(data):
    facts = data.draw(families())
    as_of = data.draw(as_of_for(facts))
    incident = data.draw(days_between(as_of - timedelta(days=181), as_of))
    member = data.draw(st.sampled_from([1, 2, 3]))

    before = evaluate(facts, SETTINGS, CALENDAR, ClaimHistory(), as_of)[OUTCOMES.index(CRIME_ASB_EDUCATION)]
    worse = replace(facts, events=(*facts.events, EventFact(member, "asb", incident)))
    after = evaluate(worse, SETTINGS, CALENDAR, ClaimHistory(), as_of)[OUTCOMES.index(CRIME_ASB_EDUCATION)]

    assert after.met <= before.met


@examples
@given(data=st.data())
def test_a_later_as_of_never_claims_again_what_was_claimed(data):
    facts = data.draw(families())
    first_as_of = data.draw(as_of_for(facts))
    later_as_of = first_as_of + timedelta(days=data.draw(st.integers(0, 500)))
    history = history_for(facts, data.draw(st.sampled_from(HISTORIES)))
    rates = SETTINGS.rates.get(financial_year_of(facts.attached_on))

    claimed = dict(history.claimed)
    for as_of in (first_as_of, later_as_of):
        decisions = evaluate(facts, SETTINGS, CALENDAR, ClaimHistory(claimed), as_of)
        for decision in decisions:
            if decision.outcome in claimed:
                assert not decision.claimable
        now = {d.outcome: d.amount for d in decisions if d.claimable}
        if rates is None:
            assert now == {}
        else:
            assert sum(claimed.values()) + sum(now.values()) <= rates.continuous_employment
        assert not (CONTINUOUS_EMPLOYMENT in now and CRIME_ASB_EDUCATION in now)
        assert not (CONTINUOUS_EMPLOYMENT in now and PROGRESS_TO_WORK in now)
        claimed.update(now)
