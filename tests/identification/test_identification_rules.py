"""The rules that suggest a family's criteria from its evidence (`identification.md`), at
their boundaries: the day a window opens, the birthday, the threshold per cent."""

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.identification.conftest import ADULT, AS_OF, CHILD, CHILD_ID, SETTINGS, D, event, family, spell, terms
from tff.identification.engine import (
    ALL,
    CannotSuggest,
    Settings,
    eligible,
    evidence_read,
    suggest,
)
from tff.outcomes.facts import EventFact, MemberFacts
from tff.outcomes.plans.document import load_plan

DEFAULTS = Path(__file__).parents[2] / "tff" / "outcomes" / "plans" / "defaults"


def codes(facts, as_of=AS_OF, settings=SETTINGS, plan=None):
    return {s.code: list(s.evidence) for s in suggest(facts, as_of, settings, plan)}


# --- crime and ASB ----------------------------------------------------------------------------


def test_an_asb_exactly_12_months_before_the_date_is_not_counted_a_day_later_is():
    assert codes(family(events=[event("asb", "2012-08-15")])) == {}
    found = codes(family(events=[event("asb", "2012-08-16", reference="E123")]))
    assert found == {"crime_asb": ["asb 2012-08-16 (police E123)"]}


def test_an_asb_after_the_date_is_not_counted():
    assert codes(family(events=[event("asb", "2013-08-16")])) == {}


def test_an_offence_counts_when_the_member_was_under_18_on_its_date():
    turning = MemberFacts(3, "P003", "Toby Teen", D("1995-02-11"))  # 18 on 2013-02-11
    members = (ADULT, turning)
    day_before = family(members=members, events=[event("offence", "2013-02-10", member=3, reference="E9")])
    assert codes(day_before) == {"crime_asb": ["offence 2013-02-10 (police E9)"]}
    on_birthday = family(members=members, events=[event("offence", "2013-02-11", member=3)])
    assert codes(on_birthday) == {}


def test_an_adults_offence_is_not_counted_but_an_adults_asb_is():
    assert codes(family(events=[event("offence", "2013-01-01", member=ADULT.member_id)])) == {}
    found = codes(family(events=[event("asb", "2013-01-01", member=ADULT.member_id, source="", reference=None)]))
    assert found == {"crime_asb": ["asb 2013-01-01"]}


# --- education --------------------------------------------------------------------------------


def test_absence_of_exactly_15_percent_over_the_last_3_terms_counts():
    found = codes(family(attendance=terms(100, 15)))
    assert found == {"education": ["absence 15% over autumn 2012, spring 2013, summer 2013"]}


def test_absence_of_14_9_percent_does_not():
    assert codes(family(attendance=terms(1000, 149))) == {}


def test_rows_with_no_possible_sessions_are_ignored_and_older_terms_are_not_read():
    older = terms(100, 90, which=(("2011/12", "summer"),))
    empty = terms(0, 0, which=(("2012/13", "summer"),))
    assert codes(family(attendance=[*older, *empty, *terms(100, 10)])) == {}


def test_the_all_setting_counts_authorised_absence_too():
    facts = family(attendance=terms(100, 5, authorised=10))
    assert codes(facts) == {}
    every = Settings(SETTINGS.out_of_work_benefits, absence=ALL)
    assert codes(facts, settings=every) == {"education": ["absence 15% over autumn 2012, spring 2013, summer 2013"]}


def test_a_permanent_exclusion_within_the_span_of_the_last_3_terms():
    assert codes(family(events=[event("permanent_exclusion", "2012-08-31", source="school")])) == {}
    found = codes(family(events=[event("permanent_exclusion", "2012-09-01", source="school")]))
    assert found == {"education": ["permanent_exclusion 2012-09-01 (school)"]}


def test_three_fixed_exclusions_count_two_do_not():
    two = [event("fixed_exclusion", day, source="school") for day in ("2012-10-01", "2013-02-01")]
    assert codes(family(events=two)) == {}
    three = [*two, event("fixed_exclusion", "2013-07-31", source="school")]
    assert list(codes(family(events=three))) == ["education"]


def test_a_child_is_under_18_on_the_date():
    grown = MemberFacts(CHILD_ID, "P002", "Casey Child", D("1995-08-15"))  # 18 on AS_OF
    assert codes(family(members=(ADULT, grown), attendance=terms(100, 50))) == {}


# --- work -------------------------------------------------------------------------------------


def test_a_benefit_spell_ending_on_the_date_counts_ending_the_day_before_does_not():
    assert codes(family(spells=[spell("esa", "2012-01-01", "2013-08-15")])) == {
        "work": ["ESA from 2012-01-01 to 2013-08-15"]
    }
    assert codes(family(spells=[spell("ESA", "2012-01-01", "2013-08-14")])) == {}


def test_a_spell_starting_after_the_date_a_childs_spell_and_an_in_work_benefit_do_not_count():
    assert codes(family(spells=[spell("ESA", "2013-08-16")])) == {}
    assert codes(family(spells=[spell("ESA", "2012-01-01", member=CHILD_ID)])) == {}
    assert codes(family(spells=[spell("WTC", "2012-01-01")])) == {}
    assert codes(family(spells=[spell("JSA", "2013-08-15")])) == {"work": ["JSA from 2013-08-15"]}


# --- the local filter -------------------------------------------------------------------------


def test_domestic_abuse_in_the_12_months_suggests_the_local_filter():
    found = suggest(family(events=[event("domestic_abuse", "2013-03-01", reference="DA7")]), AS_OF, SETTINGS)
    assert [(s.code, s.kind, s.evidence) for s in found] == [
        ("domestic_abuse", "local", ("domestic_abuse 2013-03-01 (police DA7)",))
    ]
    assert codes(family(events=[event("domestic_abuse", "2012-08-15")])) == {}


# --- eligibility ------------------------------------------------------------------------------


def test_phase_one_eligibility_is_all_three_or_two_and_a_local_filter():
    three = [("national", "crime_asb"), ("national", "education"), ("national", "work")]
    assert eligible("phase1", three)
    assert not eligible("phase1", three[:2])
    assert eligible("phase1", [*three[:2], ("local", "deprived_area")])
    assert not eligible("phase1", [three[0], ("local", "deprived_area"), ("local", "benefit_cap")])


def test_phase_two_needs_two_problems_supporting_families_three():
    two = [("problem", "crime_asb"), ("problem", "education")]
    assert eligible("phase2", two) and not eligible("phase2", two[:1])
    assert not eligible("supporting_families", two)
    assert eligible("supporting_families", [*two, ("problem", "health")])


# --- the plan's identify rules ----------------------------------------------------------------


@pytest.fixture(scope="module")
def rotherham():
    return load_plan((DEFAULTS / "rotherham-2015.yaml").read_text(), "yaml")


@pytest.fixture(scope="module")
def supporting():
    return load_plan((DEFAULTS / "supporting-families-2022.yaml").read_text(), "yaml")


def test_the_rotherham_plans_rules(rotherham):
    facts = family(
        programme="phase2",
        events=[
            event("asb", "2013-02-15", reference="E1"),  # 6 months before: the window opens the day after
            event("domestic_abuse", "2012-09-01"),
            event("fixed_exclusion", "2012-10-01"),
        ],
        spells=[spell("cin_plan", "2013-01-01", kind="cin_plan", member=CHILD_ID), spell("JSA", "2013-01-01")],
        attendance=terms(100, 15),
    )
    found = codes(facts, plan=rotherham)
    assert found == {
        "children_need_help": ["cin_plan from 2013-01-01"],
        "domestic_abuse": ["domestic_abuse 2012-09-01 (police)"],
        "education": ["absence 15% over autumn 2012, spring 2013, summer 2013"],
        "worklessness": ["JSA from 2013-01-01"],
    }
    later = family(programme="phase2", events=[event("asb", "2013-02-15"), event("offence", "2013-02-16")])
    assert codes(later, plan=rotherham) == {"crime_asb": ["offence 2013-02-16 (police)"]}


def test_the_supporting_families_plans_absence_threshold(supporting):
    facts = family(programme="supporting_families", attendance=terms(100, 10))
    assert list(codes(facts, plan=supporting)) == ["good_education"]
    assert codes(family(programme="supporting_families", attendance=terms(1000, 99)), plan=supporting) == {}


def test_an_identify_rule_nobody_can_read_is_refused_with_where_it_is(rotherham):
    from dataclasses import replace

    odd = replace(rotherham.problems[0], identify={"events": ["asb"], "postcode_in": ["S60"]})
    plan = replace(rotherham, problems=(odd, *rotherham.problems[1:]))
    with pytest.raises(CannotSuggest, match=r"problems\[0\] \(crime_asb\).identify: the key 'postcode_in'"):
        suggest(family(programme="phase2"), AS_OF, SETTINGS, plan)


def test_a_phase_two_family_with_no_plan_cannot_be_worked_out():
    with pytest.raises(CannotSuggest, match="no outcome plan measures"):
        suggest(family(programme="phase2"), AS_OF, SETTINGS, None)


def test_a_family_with_no_members_or_evidence_has_nothing_suggested():
    assert suggest(family(members=()), AS_OF, SETTINGS) == []


# --- properties -------------------------------------------------------------------------------

days = st.dates(min_value=D("2011-06-01"), max_value=D("2014-01-01"))
kinds = st.sampled_from(["asb", "offence", "fixed_exclusion", "permanent_exclusion", "domestic_abuse"])
events = st.lists(
    st.builds(
        lambda k, d, m, r: EventFact(m, k, d, "police", r),
        kinds,
        days,
        st.sampled_from([1, 2]),
        st.none() | st.text("E0123456789", min_size=1, max_size=4),
    ),
    max_size=8,
)
attendance = st.lists(
    st.tuples(st.integers(0, 200), st.integers(0, 60), st.integers(0, 60)).map(
        lambda t: terms(t[0], min(t[1], t[0]), min(t[2], t[0] - min(t[1], t[0])))[0]
    ),
    max_size=3,
)
benefits = st.lists(
    st.builds(
        lambda c, s, n: spell(c, s.isoformat(), None if n is None else (s + n).isoformat()),
        st.sampled_from(["ESA", "JSA", "WTC"]),
        days,
        st.none() | st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=800)),
    ),
    max_size=3,
)


@settings(max_examples=150, deadline=None)
@given(events=events, extra=days, as_of=days, attendance=attendance, spells=benefits)
def test_an_extra_asb_event_never_removes_a_suggestion(events, extra, as_of, attendance, spells):
    before = family(events=events, attendance=attendance, spells=spells)
    after = family(
        events=[*events, EventFact(CHILD_ID, "asb", extra, "police", None)], attendance=attendance, spells=spells
    )
    assert set(codes(before, as_of)) <= set(codes(after, as_of))


@settings(max_examples=150, deadline=None)
@given(events=events, as_of=days, attendance=attendance, spells=benefits, data=st.data())
def test_suggestions_do_not_depend_on_row_order(events, as_of, attendance, spells, data):
    shuffled = family(
        events=data.draw(st.permutations(events)),
        attendance=data.draw(st.permutations(attendance)),
        spells=data.draw(st.permutations(spells)),
        members=data.draw(st.permutations([ADULT, CHILD])),
    )
    assert suggest(shuffled, as_of, SETTINGS) == suggest(
        family(events=events, attendance=attendance, spells=spells), as_of, SETTINGS
    )


def test_the_evidence_read_is_phase_ones_and_what_the_plans_name(rotherham, supporting):
    events, spells, years = evidence_read(AS_OF, SETTINGS, [rotherham, supporting])
    assert {"asb", "offence", "fixed_exclusion", "permanent_exclusion", "domestic_abuse"} <= events
    assert spells == {"benefit", "cin_plan", "cp_plan"}
    assert years == {"2012/13"}
