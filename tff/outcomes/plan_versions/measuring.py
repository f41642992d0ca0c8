"""Which adopted plan version measures a family (`outcome-plans.md`): the one its `outcome_plan`
names, else the version of its programme's framework in force on its attachment date. Every
reading of the plan that measures a family (the engine's results, the problem codes a family
may carry, the verified outcomes a lead worker may record) goes through `measuring`, so that
they can never disagree.

The adopted versions are read once (`AdoptedPlans.read`, one query) and then looked up in
memory for as many families as needed: an import checks a batch of rows against them without
a query a row."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from tff.extensions import db
from tff.outcomes.plan_versions.models import OutcomePlanVersion
from tff.outcomes.plan_versions.operations import CHOSEN
from tff.outcomes.plans import PlanDocument, parse_plan
from tff.outcomes.plans.document import FRAMEWORKS
from tff.timeutil import local, utcnow

#: (framework, name, version, in force from, document) of an adopted plan version
Adopted = tuple[str, str, int, date, PlanDocument]


def measuring(
    plans: Iterable[Adopted], framework: str, attached_on: date | None, chosen: str | None, today: date | None = None
) -> PlanDocument | None:
    """The plan version a family is measured against: the one its `outcome_plan` names (a name
    alone: that plan's latest adopted version), else the adopted plan of its framework in force
    on its attachment date. A family not attached yet (`attached_on` None) is measured, when
    `today` is given, against the version in force today, or failing that the latest adopted
    (it will be attached today or later); without `today`, by none."""
    mine = [p for p in plans if p[0] == framework]
    if chosen:
        found = CHOSEN.match(chosen)
        if not found:
            return None
        named = [p for p in mine if p[1] == found["name"]]
        if found["version"]:
            named = [p for p in named if p[2] == int(found["version"])]
        return max(named, key=lambda p: p[2])[4] if named else None
    day = attached_on if attached_on is not None else today
    if day is None:
        return None
    in_force = [p for p in mine if p[3] <= day]
    if not in_force and attached_on is None:
        in_force = mine
    return max(in_force, key=lambda p: (p[3], p[2]))[4] if in_force else None


def adopted_versions() -> tuple[Adopted, ...]:
    """Every adopted plan version, in one query."""
    adopted = db.session.scalars(select(OutcomePlanVersion).where(OutcomePlanVersion.in_force_from.is_not(None)))
    return tuple((v.framework, v.name, v.version, v.in_force_from, parse_plan(v.document)) for v in adopted)


def _today() -> date:
    return local(utcnow()).date()


@dataclass(frozen=True)
class AdoptedPlans:
    """The adopted plan versions, read once, to say which measures each of many families."""

    versions: tuple[Adopted, ...]
    today: date

    @classmethod
    def read(cls) -> "AdoptedPlans":
        return cls(adopted_versions(), _today())

    def measuring(self, programme: str, attached_on: date | None, chosen: str | None) -> PlanDocument | None:
        if programme not in FRAMEWORKS:
            return None
        return measuring(self.versions, programme, attached_on, chosen, self.today)

    def why_none(self, programme: str, attached_on: date | None, chosen: str | None) -> str:
        """Why no plan version measures the family (when `measuring` gives none), in words that
        say what to do about it."""
        if chosen:
            return (
                f"its outcome_plan {chosen!r} is not an adopted outcome plan of {programme}: "
                "a manager adopts plans at Outcome plans"
            )
        if not any(p[0] == programme for p in self.versions):
            return f"no outcome plan of {programme} is adopted: a manager adopts one at Outcome plans"
        return (
            f"no outcome plan of {programme} was in force on its attachment date ({attached_on}): "
            "a manager adopts one at Outcome plans"
        )


def plans_measuring(families: Iterable) -> dict[int, PlanDocument | None]:
    """family id -> the plan version that measures it, for many families at once (objects with
    `id`, `programme`, `attached_on` and `outcome_plan`): the adopted versions are read once."""
    plans = AdoptedPlans.read()
    return {f.id: plans.measuring(f.programme, f.attached_on, f.outcome_plan) for f in families}


def plan_measuring(family) -> PlanDocument | None:
    """The plan version that measures this family; None for phase one, or when none does."""
    return plans_measuring([family])[family.id]


def why_not_measured(family) -> str:
    """Why no plan version measures this family (phase one: its results follow the national
    rules)."""
    if family.programme not in FRAMEWORKS:
        return "phase one families are measured by the national rules, not an outcome plan"
    return AdoptedPlans.read().why_none(family.programme, family.attached_on, family.outcome_plan)


def problem_titles(plan: PlanDocument | None) -> dict[str, str]:
    """code -> title of the plan's headline problems, in the plan's order."""
    return {p.code: p.title for p in plan.problems} if plan is not None else {}


def codes_listed(plan: PlanDocument) -> str:
    """The plan's problem codes as a message lists them."""
    return f"the {plan.rule_set} plan's codes are {', '.join(p.code for p in plan.problems)}"


@dataclass(frozen=True)
class VerifiedOutcome:
    """An outcome the plan's tests name for a practitioner to verify, with a readable title."""

    code: str
    title: str
    #: the headline problem whose test names it
    problem: str


def _verified_codes(node: dict) -> list[str]:
    if node.get("measure") == "verified":
        return [node["outcome"]]
    if "not" in node:
        return _verified_codes(node["not"])
    return [code for key in ("all_of", "any_of") for item in node.get(key, ()) for code in _verified_codes(item)]


def in_words(code: str) -> str:
    """An outcome code in words: `engaged_with_health_service` -> "engaged with health service"."""
    return code.replace("_", " ").strip()


def verified_outcomes(plan: PlanDocument | None) -> list[VerifiedOutcome]:
    """Every outcome a `verified` measure of the plan names, each once, in the plan's order,
    titled with its problem's title and the outcome in words."""
    if plan is None:
        return []
    found: dict[str, VerifiedOutcome] = {}
    for problem in plan.problems:
        for code in _verified_codes(problem.test):
            if code not in found:
                found[code] = VerifiedOutcome(code, f"{problem.title}: {in_words(code)}", problem.code)
    return list(found.values())
