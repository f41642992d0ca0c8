"""Outcome plans (`outcome-plans.md`): plans as data (`document`), the default plans shipped
with the product (`defaults/`), and the pure evaluation of a family against a plan (`evaluate`)."""

from pathlib import Path

from tff.outcomes.plans.document import PlanDocument, PlanInvalid, dump_plan, load_plan, parse_plan

DEFAULTS = Path(__file__).parent / "defaults"
#: the default plans, in the order they are listed
DEFAULT_PLAN_FILES = ("rotherham-2015.yaml", "supporting-families-2022.yaml")


def default_plans() -> list[PlanDocument]:
    """The plans shipped with the product, read from their files."""
    return [load_plan((DEFAULTS / name).read_text(encoding="utf-8"), "yaml") for name in DEFAULT_PLAN_FILES]


__all__ = ["PlanDocument", "PlanInvalid", "default_plans", "dump_plan", "load_plan", "parse_plan"]
