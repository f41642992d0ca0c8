"""The phase one rules engine against the worked examples of `outcomes-phase1.md`, and the edges
of its rules: facts are built by hand, no database."""

from datetime import date, timedelta

import pytest

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
from tff.outcomes.phase1 import (
    CONTINUOUS_EMPLOYMENT,
    CRIME_ASB_EDUCATION,
    OUTCOMES,
    PROGRESS_TO_WORK,
    Phase1Settings,
    employment_periods,
    evaluate,
    financial_year_of,
)

D = date.fromisoformat
PARENT, CHILD_C, CHILD_K = 1, 2, 3
ADULT = MemberFacts(PARENT, "P001", "Parent P", D("1980-02-10"))
C = MemberFacts(CHILD_C, "P002", "Child C", D("2001-05-01"))
K = MemberFacts(CHILD_K, "P003", "Child K", D("2001-05-01"))


# --- builders -----------------------------------------------------------------------------------


def terms_of(*academic_years, member=CHILD_C, unauthorised=20, possible=100):
    """One attendance row per term of each academic year, with the given sessions."""
    return [
        AttendanceFact(member, year, term, possible, unauthorised)
        for year in academic_years
        for term in ("autumn", "spring", "summer")
    ]


def asb(*days, member=PARENT):
    return [EventFact(member, "asb", D(day)) for day in days]


def spell(kind, start, end=None, detail=None, member=PARENT):
    return SpellFact(member, kind, detail, D(start), D(end) if end else None)


def family(attached="2012-09-15", members=(ADULT, C), attendance=(), events=(), spells=(), ref="F001"):
    return FamilyFacts(
        family_id=1,
        family_ref=ref,
        programme="phase1",
        attached_on=D(attached) if attached else None,
        members=tuple(members),
        attendance=tuple(attendance),
        events=tuple(events),
        spells=tuple(spells),
    )


def decide(facts, as_of, claimed=None, settings=None, calendar=None) -> dict[str, Decision]:
    decisions = evaluate(
        facts, settings or Phase1Settings(), calendar or TermCalendar(), ClaimHistory(claimed or {}), D(as_of)
    )
    assert [d.outcome for d in decisions] == list(OUTCOMES)
    return {d.outcome: d for d in decisions}


def text(decision: Decision) -> str:
    return "\n".join(decision.reasons)


#: example 1: C at 20% over the baseline terms, 8% over the measurement terms; five ASB
#: incidents in the baseline window
EXAMPLE_1_ASB = asb("2012-03-15", "2012-04-20", "2012-06-01", "2012-08-01", "2012-09-14")
EXAMPLE_1_ATTENDANCE = terms_of("2011/12") + terms_of("2012/13", unauthorised=8)


def example_1(recent_asb=("2013-05-10",), **changes):
    values = {"attendance": EXAMPLE_1_ATTENDANCE, "events": EXAMPLE_1_ASB + asb(*recent_asb)}
    return family(**(values | changes))


def employed_adult(out_of_work=("ESA", "2012-01-01", "2013-06-30"), work=(("2013-07-01", None),), member=PARENT):
    """An adult's spells: an out-of-work benefit, then employment spells."""
    code, start, end = out_of_work
    return [spell("benefit", start, end, code, member=member)] + [
        spell("employment", s, e, member=member) for s, e in work
    ]


# --- the worked examples ------------------------------------------------------------------------


def test_example_1_crime_asb_education_met_and_claimable():
    result = decide(example_1(), "2013-07-31")[CRIME_ASB_EDUCATION]

    assert (result.met, result.claimable, result.amount) == (True, True, 700)
    reasons = text(result)
    assert "asb: relevant, met: 5 -> 1 (80%)" in reasons
    assert "education: relevant, met" in reasons
    assert "Child C (born 2001-05-01) unauthorised absence 20% -> 8%" in reasons
    assert "offending: not relevant: 0 -> 0" in reasons
    assert "£700" in reasons
    assert result.missing == [] and result.near_miss is None


def test_example_2_too_little_fall_in_asb_is_not_met():
    result = decide(example_1(recent_asb=("2013-03-01", "2013-05-10", "2013-07-30")), "2013-07-31")[CRIME_ASB_EDUCATION]

    assert (result.met, result.claimable, result.amount) == (False, False, None)
    assert "asb: relevant, not met: 5 -> 3 (40%), needs a fall of 60%" in result.reasons
    assert "ASB incidents in the last 6 months down to 2 or fewer (now 3)" in result.missing
    assert result.near_miss is None


def test_example_3_education_not_yet_measurable():
    result = decide(example_1(), "2013-03-31")[CRIME_ASB_EDUCATION]

    assert (result.met, result.claimable, result.amount) == (False, False, None)
    reasons = text(result)
    assert "measurable: 6 months after attachment was 2013-03-15" in reasons
    assert "education: relevant, not yet measurable: 2 of 3 terms ended" in reasons
    assert "one more term under 15% unauthorised absence for Child C (born 2001-05-01)" in result.missing
    # met when the summer term ends, if nothing changes
    assert result.near_miss == (D("2013-07-31") - D("2013-03-31")).days


def test_example_4_continuous_employment_claimable_progress_to_work_not_met():
    facts = family(
        attached="2013-05-01",
        members=[ADULT],
        spells=employed_adult() + [spell("work_programme", "2013-06-01")],
    )
    results = decide(facts, "2014-01-01")

    employment = results[CONTINUOUS_EMPLOYMENT]
    assert (employment.met, employment.claimable, employment.amount) == (True, True, 1600)
    assert "employed from 2013-07-01: 182 days to 2013-12-29" in text(employment)
    assert "out of work at attachment (ESA)" in text(employment)
    progress = results[PROGRESS_TO_WORK]
    assert (progress.met, progress.claimable, progress.amount) == (False, False, None)
    assert "no Work Programme or ESF employment provision start between 2013-07-02 and 2014-01-01" in text(progress)
    assert "work_programme started 2013-06-01" in text(progress)
    assert "continuous_employment is claimed now instead" in text(progress)
    assert progress.missing == [] and progress.near_miss is None


def test_example_4_progress_to_work_in_the_recent_window_is_not_claimable_with_continuous_employment():
    facts = family(
        attached="2013-05-01", members=[ADULT], spells=employed_adult() + [spell("work_programme", "2013-09-01")]
    )
    progress = decide(facts, "2014-01-01")[PROGRESS_TO_WORK]

    assert (progress.met, progress.claimable, progress.amount) == (True, False, None)
    assert "not claimable: continuous_employment is claimed now instead" in progress.reasons


def test_example_5_continuous_employment_after_crime_asb_education_is_not_claimable():
    facts = example_1(
        spells=employed_adult(out_of_work=("JSA", "2012-01-01", "2013-09-30"), work=[("2013-10-01", None)])
    )
    results = decide(facts, "2014-05-01", claimed={CRIME_ASB_EDUCATION: 700})

    employment = results[CONTINUOUS_EMPLOYMENT]
    assert (employment.met, employment.claimable, employment.amount) == (True, False, None)
    assert "not claimable: the family already has crime_asb_education" in employment.reasons
    cae = results[CRIME_ASB_EDUCATION]
    assert (cae.claimable, cae.amount) == (False, None)
    assert "not claimable: crime_asb_education already claimed (£700)" in cae.reasons


def test_example_6_continuous_employment_after_progress_to_work_is_paid_the_difference():
    facts = family(
        attached="2012-10-01",
        members=[ADULT],
        spells=employed_adult(out_of_work=("JSA", "2012-06-01", "2013-03-31"), work=[("2013-04-01", None)])
        + [spell("work_programme", "2013-01-15")],
    )
    results = decide(facts, "2013-10-15", claimed={PROGRESS_TO_WORK: 100})

    employment = results[CONTINUOUS_EMPLOYMENT]
    assert (employment.met, employment.claimable, employment.amount) == (True, True, 700)
    assert "claimable: £700, the 2012/13 rate of £800 less £100 already claimed" in employment.reasons
    assert results[PROGRESS_TO_WORK].claimable is False


# --- continuous employment ------------------------------------------------------------------------

START = D("2013-07-01")


def employment_family(work=(("2013-07-01", None),), benefits=()):
    return family(
        attached="2013-05-01", members=[ADULT], spells=employed_adult(work=work) + [spell(*b) for b in benefits]
    )


def test_continuous_employment_met_on_the_182nd_day():
    as_of = START + timedelta(days=181)
    employment = decide(employment_family(), as_of.isoformat())[CONTINUOUS_EMPLOYMENT]

    assert (employment.met, employment.claimable, employment.amount) == (True, True, 1600)


def test_continuous_employment_not_met_a_day_before():
    as_of = START + timedelta(days=180)
    employment = decide(employment_family(), as_of.isoformat())[CONTINUOUS_EMPLOYMENT]

    assert (employment.met, employment.claimable) == (False, False)
    assert "181 of 182 days so far" in text(employment)
    assert employment.missing == ["1 more day of continuous employment for Parent P (born 1980-02-10)"]
    assert employment.near_miss == 1


def test_employment_spells_joined_the_day_after_are_one_period():
    work = (("2013-07-01", "2013-09-30"), ("2013-10-01", None))
    employment = decide(employment_family(work), "2013-12-29")[CONTINUOUS_EMPLOYMENT]

    assert employment.met is True


@pytest.mark.parametrize("next_start", ["2013-10-02", "2013-10-03"])
def test_employment_spells_with_a_gap_are_not_continuous(next_start):
    work = (("2013-07-01", "2013-09-30"), (next_start, None))
    employment = decide(employment_family(work), "2013-12-29")[CONTINUOUS_EMPLOYMENT]

    assert employment.met is False
    assert "employed from 2013-07-01 to 2013-09-30, 92 days, fewer than 182" in text(employment)


def test_employment_periods_join_overlapping_and_adjacent_spells():
    spells = [
        spell("employment", "2013-01-01", "2013-02-28"),
        spell("employment", "2013-02-01", "2013-03-31"),
        spell("employment", "2013-04-01", "2013-04-30"),
        spell("employment", "2013-06-01", None),
        spell("employment", "2013-07-01", "2013-08-01"),
        spell("benefit", "2013-05-01", "2013-05-31", "JSA"),
    ]
    assert employment_periods(spells) == [(D("2013-01-01"), D("2013-04-30")), (D("2013-06-01"), None)]


def test_an_out_of_work_benefit_within_the_182_days_breaks_continuous_employment():
    facts = employment_family(benefits=[("benefit", "2013-09-01", "2013-09-14", "JSA")])
    employment = decide(facts, "2014-01-01")[CONTINUOUS_EMPLOYMENT]

    assert employment.met is False
    assert "but on JSA from 2013-09-01 to 2013-09-14, within the 182 days" in text(employment)


def test_a_benefit_that_is_not_out_of_work_does_not_break_it():
    facts = employment_family(benefits=[("benefit", "2013-09-01", None, "HB")])
    assert decide(facts, "2014-01-01")[CONTINUOUS_EMPLOYMENT].met is True


def test_employment_that_started_before_attachment_does_not_count():
    facts = family(attached="2013-05-01", members=[ADULT], spells=employed_adult(work=[("2013-04-01", None)]))
    employment = decide(facts, "2014-01-01")[CONTINUOUS_EMPLOYMENT]

    assert employment.met is False
    assert "no employment starting on or after 2013-05-01" in text(employment)


def test_no_adult_out_of_work_at_attachment_means_no_work_results():
    # the benefit ended more than 6 months before attachment
    facts = family(
        attached="2013-05-01",
        members=[ADULT],
        spells=employed_adult(out_of_work=("JSA", "2012-01-01", "2012-10-31")),
    )
    results = decide(facts, "2014-01-01")

    for outcome in (CONTINUOUS_EMPLOYMENT, PROGRESS_TO_WORK):
        assert results[outcome].met is False
        assert "no adult was out of work at attachment" in text(results[outcome])


def test_a_member_under_18_at_attachment_is_not_an_out_of_work_adult():
    young = MemberFacts(PARENT, "P001", "Young Y", D("1995-06-01"))
    facts = family(attached="2013-05-01", members=[young], spells=employed_adult())
    assert decide(facts, "2014-01-01")[CONTINUOUS_EMPLOYMENT].met is False


# --- crime, ASB and education ---------------------------------------------------------------------


def test_a_child_with_a_baseline_problem_and_no_returns_since_is_missing_data():
    facts = example_1(
        members=[ADULT, C, K],
        attendance=EXAMPLE_1_ATTENDANCE + terms_of("2011/12", member=CHILD_K, unauthorised=30),
    )
    result = decide(facts, "2013-07-31")[CRIME_ASB_EDUCATION]

    assert (result.met, result.claimable) == (False, False)
    assert "attendance data missing: no return over Autumn 2012 to Summer 2013 for Child K" in text(result)
    assert "the Summer 2013 attendance return is missing for Child K (born 2001-05-01)" in result.missing
    assert result.near_miss == 0


def test_a_school_leaver_with_a_baseline_problem_need_not_be_considered():
    leaver = MemberFacts(CHILD_K, "P003", "Child K", D("1996-08-01"))
    facts = example_1(
        members=[ADULT, C, leaver],
        attendance=EXAMPLE_1_ATTENDANCE + terms_of("2011/12", member=CHILD_K, unauthorised=30),
    )
    assert decide(facts, "2013-07-31")[CRIME_ASB_EDUCATION].met is True


def test_exclusions_make_a_baseline_problem_and_a_failing_child():
    fixed = [EventFact(CHILD_C, "fixed_exclusion", D(day)) for day in ("2011-10-01", "2012-01-10", "2012-05-05")]
    facts = family(attendance=terms_of("2011/12", unauthorised=1) + terms_of("2012/13", unauthorised=1), events=fixed)
    result = decide(facts, "2013-07-31")[CRIME_ASB_EDUCATION]
    assert result.met is True
    assert "fixed exclusions 3 -> 0" in text(result)

    permanent = [EventFact(CHILD_C, "permanent_exclusion", D("2013-06-01"))]
    result = decide(family(attendance=facts.attendance, events=fixed + permanent), "2013-07-31")[CRIME_ASB_EDUCATION]
    assert result.met is False
    assert "permanent exclusions 0 -> 1" in text(result)


def test_absence_at_exactly_15_percent_is_a_problem():
    facts = example_1(attendance=terms_of("2011/12") + terms_of("2012/13", unauthorised=15))
    result = decide(facts, "2013-07-31")[CRIME_ASB_EDUCATION]

    assert result.met is False
    assert "unauthorised absence 20% -> 15%" in text(result)


def test_a_measure_that_is_not_relevant_showing_a_new_problem_blocks_the_result():
    offence = EventFact(CHILD_C, "offence", D("2013-06-01"))
    result = decide(example_1(events=EXAMPLE_1_ASB + asb("2013-05-10") + [offence]), "2013-07-31")[CRIME_ASB_EDUCATION]

    assert result.met is False
    assert "offending: not relevant, new problem: 0 -> 1" in result.reasons


def test_offences_by_adults_are_not_youth_offending():
    offences = [EventFact(PARENT, "offence", D(day)) for day in ("2012-05-01", "2013-06-01")]
    result = decide(example_1(events=EXAMPLE_1_ASB + asb("2013-05-10") + offences), "2013-07-31")
    assert result[CRIME_ASB_EDUCATION].met is True


def test_offending_reduction_is_compared_exactly():
    # 3 -> 2 is a fall of 33.3%: met; 100 -> 68 is 32%: not met
    def offending(baseline, recent):
        events = [EventFact(CHILD_C, "offence", D("2012-06-01"))] * baseline
        events += [EventFact(CHILD_C, "offence", D("2013-06-01"))] * recent
        return decide(family(events=events), "2013-07-31")[CRIME_ASB_EDUCATION]

    assert offending(3, 2).met is True
    assert "offending: relevant, met: 3 -> 2 (33.3%)" in offending(3, 2).reasons
    assert offending(100, 68).met is False
    assert offending(100, 67).met is True


def test_crime_asb_not_measurable_until_six_months_after_attachment():
    result = decide(example_1(recent_asb=()), "2013-03-14")[CRIME_ASB_EDUCATION]

    assert result.met is False
    assert "not yet measurable: 6 months after attachment is 2013-03-15" in result.reasons
    assert "asb: relevant, not yet measurable: 5 in the 6 months before attachment" in result.reasons
    assert "6 months since attachment: measurable from 2013-03-15" in result.missing


def test_no_problem_at_baseline_means_no_crime_asb_education_result():
    facts = family(attendance=terms_of("2011/12", unauthorised=2) + terms_of("2012/13", unauthorised=2))
    result = decide(facts, "2013-07-31")[CRIME_ASB_EDUCATION]

    assert result.met is False
    assert "not met: no education, ASB or youth offending problem before attachment" in result.reasons
    assert result.missing == [] and result.near_miss is None


def test_an_administrators_term_calendar_is_used():
    # summer 2013 ends on 19 July: the measurement is complete by 20 July
    calendar = TermCalendar.from_years(
        {
            "2012/13": {
                "autumn": (D("2012-09-04"), D("2012-12-20")),
                "spring": (D("2013-01-07"), D("2013-03-28")),
                "summer": (D("2013-04-15"), D("2013-07-19")),
            }
        }
    )
    assert decide(example_1(), "2013-07-20", calendar=calendar)[CRIME_ASB_EDUCATION].met is True
    assert decide(example_1(), "2013-07-20")[CRIME_ASB_EDUCATION].met is False


def test_term_calendar_fills_in_the_default_calendar():
    calendar = TermCalendar().covering(D("2012-09-15"), D("2013-01-01"))
    terms = calendar.in_date_order()

    assert [(t.academic_year, t.term, t.label) for t in terms] == [
        ("2012/13", "autumn", "Autumn 2012"),
        ("2012/13", "spring", "Spring 2013"),
        ("2012/13", "summer", "Summer 2013"),
    ]
    assert (terms[0].start, terms[-1].end) == (D("2012-09-01"), D("2013-07-31"))


# --- what may be claimed --------------------------------------------------------------------------


def test_continuous_employment_is_preferred_when_both_are_claimable():
    facts = example_1(
        spells=employed_adult(out_of_work=("JSA", "2012-01-01", "2013-01-14"), work=[("2013-01-15", None)])
    )
    results = decide(facts, "2013-07-31")

    assert (results[CONTINUOUS_EMPLOYMENT].claimable, results[CONTINUOUS_EMPLOYMENT].amount) == (True, 800)
    cae = results[CRIME_ASB_EDUCATION]
    assert (cae.met, cae.claimable, cae.amount) == (True, False, None)
    assert "not claimable: continuous_employment is claimed now instead" in cae.reasons


def test_continuous_employment_close_to_met_warns_that_claiming_crime_asb_education_rules_it_out():
    facts = example_1(
        spells=employed_adult(out_of_work=("JSA", "2012-01-01", "2013-09-30"), work=[("2013-10-01", None)])
    )
    results = decide(facts, "2014-02-01")

    assert results[CRIME_ASB_EDUCATION].claimable is True
    employment = results[CONTINUOUS_EMPLOYMENT]
    assert (employment.met, employment.near_miss) == (False, 58)
    assert "once crime_asb_education is claimed, continuous_employment cannot be" in employment.reasons
    assert employment.missing == ["58 more days of continuous employment for Parent P (born 1980-02-10)"]


def test_crime_asb_education_and_progress_to_work_may_be_claimed_together():
    facts = example_1(spells=[spell("benefit", "2012-01-01", None, "JSA"), spell("esf", "2013-04-01")])
    results = decide(facts, "2013-07-31")

    assert (results[CRIME_ASB_EDUCATION].amount, results[PROGRESS_TO_WORK].amount) == (700, 100)
    assert results[CONTINUOUS_EMPLOYMENT].met is False


def test_a_result_is_claimed_at_most_once():
    results = decide(example_1(), "2014-01-31", claimed={CRIME_ASB_EDUCATION: 700})
    assert results[CRIME_ASB_EDUCATION].claimable is False


def test_continuous_employment_claimed_rules_out_the_others():
    facts = example_1(spells=[spell("benefit", "2012-01-01", None, "JSA"), spell("esf", "2013-04-01")])
    results = decide(facts, "2013-07-31", claimed={CONTINUOUS_EMPLOYMENT: 800})

    for outcome in (CRIME_ASB_EDUCATION, PROGRESS_TO_WORK):
        assert (results[outcome].met, results[outcome].claimable) == (True, False)
        assert "not claimable: the family already has continuous_employment" in results[outcome].reasons


def test_a_family_attached_outside_the_rate_years_has_no_rate():
    facts = family(
        attached="2015-05-01",
        members=[ADULT],
        spells=employed_adult(out_of_work=("JSA", "2015-01-01", "2015-05-31"), work=[("2015-06-01", None)]),
    )
    employment = decide(facts, "2016-01-31")[CONTINUOUS_EMPLOYMENT]

    assert (employment.met, employment.claimable, employment.amount) == (True, False, None)
    assert "not claimable: no rate for families attached in 2015/16" in employment.reasons


def test_rates_follow_the_financial_year_of_attachment():
    assert financial_year_of(D("2013-03-31")) == "2012/13"
    assert financial_year_of(D("2013-04-01")) == "2013/14"
    facts = family(
        attached="2014-04-01",
        members=[ADULT],
        spells=employed_adult(out_of_work=("JSA", "2014-01-01", "2014-04-30"), work=[("2014-05-01", None)]),
    )
    assert decide(facts, "2015-01-31")[CONTINUOUS_EMPLOYMENT].amount == 2400


def test_a_family_with_no_attachment_has_no_results():
    results = decide(family(attached=None, attendance=EXAMPLE_1_ATTENDANCE, events=EXAMPLE_1_ASB), "2013-07-31")

    for decision in results.values():
        assert (decision.met, decision.claimable, decision.amount) == (False, False, None)
        assert decision.reasons == ["not attached: a family has results only once it is attached"]


def test_a_family_of_another_programme_is_refused():
    facts = FamilyFacts(1, "F009", "phase2", D("2015-05-01"))
    with pytest.raises(ValueError, match="not phase one"):
        evaluate(facts, Phase1Settings(), TermCalendar(), ClaimHistory(), D("2016-01-01"))


def test_settings_change_the_thresholds():
    strict = Phase1Settings(asb_reduction_percent=90)
    result = decide(example_1(), "2013-07-31", settings=strict)[CRIME_ASB_EDUCATION]
    assert result.met is False
    assert "asb: relevant, not met: 5 -> 1 (80%), needs a fall of 90%" in result.reasons


def test_decision_as_json_is_the_command_line_shape():
    result = decide(example_1(), "2013-07-31")[CRIME_ASB_EDUCATION]

    shown = result.as_json()
    assert list(shown) == ["family_ref", "rule_set", "outcome", "met", "claimable", "amount", "reasons"]
    assert shown["family_ref"] == "F001" and shown["rule_set"] == "phase1"
    assert (shown["outcome"], shown["met"], shown["claimable"], shown["amount"]) == (
        CRIME_ASB_EDUCATION,
        True,
        True,
        700,
    )
    assert shown["reasons"] == result.reasons


def test_the_engine_imports_no_web_database_or_job_code():
    from pathlib import Path

    import tff.outcomes

    # The engine's modules; the loader, the job, the views and the command call it.
    for module in ("facts.py", "decisions.py", "phase1.py"):
        path = Path(tff.outcomes.__file__).parent / module
        source = path.read_text()
        for name in ("flask", "sqlalchemy", "celery", "tff.extensions"):
            assert f"import {name}" not in source and f"from {name}" not in source, (path.name, name)
