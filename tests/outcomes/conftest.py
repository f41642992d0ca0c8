"""Small builders of the facts the outcome plan engine decides on, for tests of the pure
engine: no database, no app. A plan here has the one headline problem under test (`measured`)
and, to make up the framework's fewest problems, practitioner-verified ones that the builders
record as approved, so the family's result stands or falls with the measure under test."""

from dataclasses import dataclass
from datetime import date

import pytest

from tff.outcomes.facts import (
    AttendanceFact,
    ClaimHistory,
    EventFact,
    FamilyFacts,
    MemberFacts,
    SpellFact,
    TermCalendar,
)
from tff.outcomes.plans.document import MIN_PROBLEMS, PHASE2, SUPPORTING_FAMILIES, PlanDocument, parse_plan
from tff.outcomes.plans.evaluate import SIGNIFICANT_SUSTAINED_PROGRESS, evaluate_plan

D = date.fromisoformat

PARENT_ID, CHILD_ID, SIBLING_ID = 1, 2, 3
#: 35 at the attachment dates used here: an adult
PARENT = MemberFacts(PARENT_ID, "P001", "Pat Parent", D("1980-02-10"))
#: 10 in 2015: a child
CASEY = MemberFacts(CHILD_ID, "P002", "Casey Child", D("2005-05-01"))
#: 8 in 2015: a child
SAM = MemberFacts(SIBLING_ID, "P003", "Sam Child", D("2007-03-12"))

#: the default calendar's terms of 2015/16 and the summer before (autumn 1 Sep - 31 Dec,
#: spring 1 Jan - 31 Mar, summer 1 Apr - 31 Jul)
TERMS_2015_16 = (("2015/16", "autumn"), ("2015/16", "spring"), ("2015/16", "summer"))

MEASURED = "measured"
#: the verified outcome each make-weight problem passes on
GIVEN = "given_outcome"


def facts(
    *,
    attendance=(),
    events=(),
    spells=(),
    members=(PARENT, CASEY),
    programme=PHASE2,
    attached="2015-06-01",
) -> FamilyFacts:
    """A family attached on `attached` (1 June 2015 by default) with a parent and a child."""
    return FamilyFacts(
        1, "F001", programme, D(attached), tuple(members), tuple(attendance), tuple(events), tuple(spells)
    )


def term_return(possible, authorised, unauthorised, term=("2015/16", "autumn"), member=CHILD_ID) -> AttendanceFact:
    """One attendance return of `member` (Casey by default) for one term."""
    year, name = term
    return AttendanceFact(member, year, name, possible, unauthorised, authorised)


def every_term(possible, authorised, unauthorised, terms=TERMS_2015_16, member=CHILD_ID) -> list[AttendanceFact]:
    """The same figures for each of the terms (autumn 2015 to summer 2016 by default)."""
    return [term_return(possible, authorised, unauthorised, term, member) for term in terms]


def event(kind, day, member=PARENT_ID) -> EventFact:
    return EventFact(member, kind, D(day))


def spell(kind, start, end=None, member=PARENT_ID, detail=None) -> SpellFact:
    return SpellFact(member, kind, detail, D(start), D(end) if end else None)


def plan(test: dict, framework=PHASE2, sustain_months=0, continuous_employment=None) -> PlanDocument:
    """A plan whose headline problem `measured` has this test, parsed (so every default is
    filled in as for a real plan), with make-weight verified problems."""
    problems = [{"code": MEASURED, "title": "The measure under test", "test": test}]
    for n in range(1, MIN_PROBLEMS[framework]):
        problems.append({"code": f"given_{n}", "title": "Given", "test": {"measure": "verified", "outcome": GIVEN}})
    rates = {"attachment_fee": 1000, "result": 800}
    if continuous_employment is not None:
        rates["continuous_employment"] = continuous_employment
    return parse_plan(
        {
            "name": "test-plan",
            "version": 1,
            "title": "Test plan",
            "framework": framework,
            "rates": rates,
            "sustain_months_after_closure": sustain_months,
            "problems": problems,
        }
    )


@dataclass(frozen=True)
class Measured:
    """The significant and sustained progress decision, and the reasons of the measure."""

    met: bool
    claimable: bool
    amount: int | None
    reasons: list[str]
    missing: list[str]
    near_miss: int | None

    @property
    def text(self) -> str:
        return "\n".join(self.reasons)


def measure(
    test: dict,
    family: FamilyFacts,
    as_of: str,
    *,
    framework=PHASE2,
    sustain_months=0,
    closed_on: str | None = None,
    verified=(),
    calendar: TermCalendar | None = None,
    plan_document: PlanDocument | None = None,
) -> Measured:
    """The family measured against a plan of the one test, as of the date."""
    document = plan_document or plan(test, framework, sustain_months)
    codes = [p.code for p in document.problems]
    decisions = evaluate_plan(
        family,
        document,
        codes,
        calendar or TermCalendar(),
        ClaimHistory(),
        D(as_of),
        closed_on=D(closed_on) if closed_on else None,
        verified=frozenset({GIVEN, *verified}),
    )
    (decision,) = [d for d in decisions if d.outcome == SIGNIFICANT_SUSTAINED_PROGRESS]
    return Measured(
        decision.met, decision.claimable, decision.amount, decision.reasons, decision.missing, decision.near_miss
    )


@pytest.fixture
def sf_plan():
    """A Supporting Families plan (3 problems, 6 months sustained after closure) of one test."""
    return lambda test: plan(test, SUPPORTING_FAMILIES, sustain_months=6)
