"""A plan's `identify` rules are checked when the plan is imported: a rule that identification
cannot read is refused then, with the problem and the key it is about, instead of being found
only when a family's criteria are worked out. The check reads identification's own keys and
readers, so a rule it passes is never refused for its shape by the engine."""

import copy
import io
import json
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.case_work import error_summary
from tests.helpers import sign_in, submit
from tff.extensions import db
from tff.identification import engine
from tff.outcomes.facts import AttendanceFact, EventFact, FamilyFacts, MemberFacts, SpellFact
from tff.outcomes.plan_versions.models import OutcomePlanVersion
from tff.outcomes.plan_versions.operations import PlanRefused, store
from tff.outcomes.plans import DEFAULT_PLAN_FILES, DEFAULTS, default_plans, dump_plan, load_plan, parse_plan
from tff.outcomes.plans.document import PlanInvalid, identify_rule_problems, plan_as_data

#: problems[0] of the shipped phase two plan, by which the messages name where a rule is
WHERE = "problems[0] (crime_asb).identify"
KEYS = (
    "events, spells, out_of_work_benefit, unauthorised_absence_percent, absence_percent, fixed_exclusions, "
    "permanent_exclusion, months, months_before_attachment, terms, members, at_least, description, note, notes"
)


ROTHERHAM = plan_as_data(next(p for p in default_plans() if p.name == "rotherham-2015"))


def rotherham_with(rule) -> dict:
    data = copy.deepcopy(ROTHERHAM)
    data["problems"][0]["identify"] = rule
    return data


def refused(rule) -> list[str]:
    """The errors of importing the shipped phase two plan with this rule for crime_asb, as YAML."""
    with pytest.raises(PlanInvalid) as raised:
        load_plan(dump_plan_data(rotherham_with(rule)), "yaml")
    return raised.value.errors


def dump_plan_data(data: dict) -> str:
    return json.dumps(data)  # JSON is YAML too, and keeps whatever the rule holds as it is


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            {"events": ["asb"], "postcode_in": ["S60"]},
            f"{WHERE}.postcode_in: unknown key; the keys are {KEYS}",
        ),
        (
            {"description": "known to the police"},
            f"{WHERE}: names no condition; the conditions are events, spells, out_of_work_benefit, "
            "unauthorised_absence_percent, absence_percent, fixed_exclusions, permanent_exclusion",
        ),
        ({"events": ["asb"], "months": 0}, f"{WHERE}.months: 0 must be a whole number of months, 1 to 120"),
        ({"events": ["asb"], "months": 6.5}, f"{WHERE}.months: 6.5 must be a whole number of months, 1 to 120"),
        ({"events": ["asb"], "months": 1200}, f"{WHERE}.months: 1200 must be a whole number of months, 1 to 120"),
        (
            {"events": ["asb"], "months_before_attachment": "six"},
            f"{WHERE}.months_before_attachment: 'six' must be a whole number of months, 1 to 120",
        ),
        (
            {"events": ["asb"], "months": 6, "months_before_attachment": 6},
            f"{WHERE}: give months or months_before_attachment, not both",
        ),
        ({"events": ["asb"], "at_least": 0}, f"{WHERE}.at_least: 0 must be a whole number of events, 1 or more"),
        ({"events": ["asb"], "at_least": True}, f"{WHERE}.at_least: True must be a whole number of events, 1 or more"),
        (
            {"unauthorised_absence_percent": 15, "terms": None},
            f"{WHERE}.terms: None must be a whole number of terms, 1 to 30",
        ),
        (
            {"unauthorised_absence_percent": -1},
            f"{WHERE}.unauthorised_absence_percent: -1 must be a whole number of per cent, 0 to 100",
        ),
        ({"absence_percent": 150}, f"{WHERE}.absence_percent: 150 must be a whole number of per cent, 0 to 100"),
        (
            {"fixed_exclusions": 0},
            f"{WHERE}.fixed_exclusions: 0 must be a whole number of fixed exclusions, 1 or more",
        ),
        ({"out_of_work_benefit": "yes"}, f"{WHERE}.out_of_work_benefit: 'yes' must be true or false"),
        ({"permanent_exclusion": 1}, f"{WHERE}.permanent_exclusion: 1 must be true or false"),
        ({"events": [1, 2]}, f"{WHERE}.events: must be an event kind or a list of one or more kinds"),
        ({"events": []}, f"{WHERE}.events: must be an event kind or a list of one or more kinds"),
        ({"spells": {"kind": "cp_plan"}}, f"{WHERE}.spells: must be a spell kind or a list of one or more kinds"),
        (
            {"spells": ["cp_plan", "Child Protection"]},
            f"{WHERE}.spells: 'Child Protection' is not a spell kind (lower case letters, digits and underscores)",
        ),
        (
            {"events": ["asb"], "members": "with_problem"},
            f"{WHERE}.members: 'with_problem' is not a set of members; the sets are everyone, children, adults",
        ),
    ],
)
def test_each_kind_of_unreadable_rule_is_refused_with_where_and_why(rule, message):
    assert refused(rule) == [message]


def test_every_problem_of_a_plan_is_in_the_one_list_each_saying_where():
    data = rotherham_with({"events": "asb", "months": 0, "colour": "red"})
    data["problems"][2]["identify"] = {"spells": [], "members": "cousins"}
    data["rates"]["result"] = -5
    with pytest.raises(PlanInvalid) as raised:
        load_plan(dump_plan_data(data), "json")
    assert raised.value.errors == [
        "rates.result: must be a whole number of pounds, 0 or more",
        f"{WHERE}.colour: unknown key; the keys are {KEYS}",
        f"{WHERE}.months: 0 must be a whole number of months, 1 to 120",
        "problems[2] (children_need_help).identify.spells: must be a spell kind or a list of one or more kinds",
        "problems[2] (children_need_help).identify.members: 'cousins' is not a set of members; the sets are "
        "everyone, children, adults",
    ]


def test_a_rule_with_every_key_given_well_is_accepted():
    rule = {
        "events": "asb",
        "spells": ["cp_plan", "a_kind_added_later"],
        "out_of_work_benefit": False,
        "unauthorised_absence_percent": 0,
        "absence_percent": 100,
        "fixed_exclusions": 3,
        "permanent_exclusion": True,
        "months": 120,
        "terms": 30,
        "members": "children",
        "at_least": 2,
        "description": "Known to the police or at risk at school",
        "note": "",
        "notes": ["the kinds may be added after the plan"],
    }
    plan = load_plan(dump_plan_data(rotherham_with(rule)), "json")
    assert plan.problems[0].identify == rule
    assert identify_rule_problems(rule, WHERE) == []


@pytest.mark.parametrize("name", DEFAULT_PLAN_FILES)
def test_every_shipped_plan_imports_as_it_is_and_as_exported(name):
    text = (DEFAULTS / name).read_text(encoding="utf-8")
    plan = load_plan(text, "yaml")
    assert any(problem.identify for problem in plan.problems)
    for problem in plan.problems:
        if problem.identify:
            assert identify_rule_problems(problem.identify, problem.code) == []
    for fmt in ("yaml", "json"):
        assert load_plan(dump_plan(plan, fmt), fmt) == plan


def test_a_version_stored_before_rules_were_checked_still_reads():
    """Its outcomes and claims rest on it: identification names the rule when it runs."""
    data = rotherham_with({"events": ["asb"], "postcode_in": ["S60"]})
    assert parse_plan(data).problems[0].identify == {"events": ["asb"], "postcode_in": ["S60"]}
    with pytest.raises(PlanInvalid):
        parse_plan(data, check_identify=True)


def test_the_import_refuses_the_plan_and_stores_nothing(clean):
    data = rotherham_with({"events": ["asb"], "months": 0})
    data["name"] = "our-plan"
    with clean.app_context():
        with pytest.raises(PlanRefused) as raised:
            store(json.dumps(data), "json", None)
        assert raised.value.errors == [f"{WHERE}.months: 0 must be a whole number of months, 1 to 120"]
        assert db.session.scalar(select(func.count()).select_from(OutcomePlanVersion)) == 0
        for name in DEFAULT_PLAN_FILES:
            version = store((DEFAULTS / name).read_text(encoding="utf-8"), "yaml", None)
            assert version.version == 1
        assert db.session.scalar(select(func.count()).select_from(OutcomePlanVersion)) == 2


def test_a_manager_uploading_a_plan_with_an_unreadable_rule_is_told_where(client, make, clean):
    sign_in(client, make.user("manager").email)
    data = rotherham_with({"events": ["asb"], "members": "teenagers"})
    upload = {"file": (io.BytesIO(json.dumps(data).encode()), "rotherham.json"), "fmt": "json"}
    response = submit(client, "/outcome-plans/new", upload, content_type="multipart/form-data")
    assert response.status_code == 400
    problems = error_summary(response)
    assert "problems[0] (crime_asb).identify.members" in problems and "'teenagers' is not a set of members" in problems


# --- the property: a rule the check accepts, identification reads -----------------------------

KIND_WORDS = ["asb", "offence", "domestic_abuse", "fixed_exclusion", "cp_plan", "cin_plan", "benefit", "x", "ASB", ""]
#: values of every shape, beside the right shapes (drawn more often, so that most rules pass)
ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.lists(st.one_of(st.sampled_from(KIND_WORDS), st.integers(0, 3), st.none()), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def mostly(right):
    """The right shape nine times in ten, any other value the tenth."""
    return st.integers(0, 9).flatmap(lambda n: ANY_VALUE if n == 0 else right)


WHOLE = mostly(st.integers(1, 40) | st.integers(0, 130))
KINDS = mostly(st.sampled_from(KIND_WORDS[:7]) | st.lists(st.sampled_from(KIND_WORDS[:7]), min_size=1, max_size=3))
FLAG = mostly(st.booleans())
MEMBERS = mostly(st.sampled_from(["everyone", "children", "adults"]))
CONDITIONS = {
    "events": KINDS,
    "spells": KINDS,
    "out_of_work_benefit": FLAG,
    "permanent_exclusion": FLAG,
    "unauthorised_absence_percent": WHOLE,
    "absence_percent": WHOLE,
    "fixed_exclusions": WHOLE,
}
OTHERS = {
    "months": WHOLE,
    "months_before_attachment": WHOLE,
    "terms": WHOLE,
    "at_least": WHOLE,
    "members": MEMBERS,
    "description": ANY_VALUE,
    "note": ANY_VALUE,
    "notes": ANY_VALUE,
}
VALUES = CONDITIONS | OTHERS


@st.composite
def rules(draw):
    keys = [draw(st.sampled_from(sorted(CONDITIONS)))]
    keys += draw(st.lists(st.sampled_from(sorted(VALUES)), max_size=4, unique=True))
    return {key: draw(VALUES[key]) for key in dict.fromkeys(keys)}


DAYS = st.dates(date(1990, 1, 1), date(2040, 12, 31))
MEMBER_IDS = st.integers(1, 4)


@st.composite
def families(draw):
    members = tuple(
        MemberFacts(
            member_id, f"P{member_id:03d}", f"Person {member_id}", draw(st.dates(date(1950, 1, 1), date(2035, 1, 1)))
        )
        for member_id in range(1, draw(st.integers(0, 4)) + 1)
    )
    events = draw(
        st.lists(
            st.builds(
                EventFact,
                MEMBER_IDS,
                st.sampled_from(KIND_WORDS[:6]),
                DAYS,
                st.sampled_from(["police", None]),
                st.none(),
            ),
            max_size=6,
        )
    )
    spells = []
    for member_id, kind, detail, start, length in draw(
        st.lists(
            st.tuples(
                MEMBER_IDS,
                st.sampled_from(["benefit", "cp_plan", "cin_plan"]),
                st.sampled_from(["JSA", "ESA", "UC", ""]),
                DAYS,
                st.one_of(st.none(), st.integers(0, 2000)),
            ),
            max_size=4,
        )
    ):
        end = None if length is None else start + timedelta(days=length)
        spells.append(SpellFact(member_id, kind, detail, start, end))
    attendance = draw(
        st.lists(
            st.builds(
                lambda member_id, year, term, possible, unauthorised, authorised: AttendanceFact(
                    member_id, f"{year}/{(year + 1) % 100:02d}", term, possible, min(unauthorised, possible), authorised
                ),
                MEMBER_IDS,
                st.integers(1990, 2040),
                st.sampled_from(["autumn", "spring", "summer"]),
                st.integers(0, 150),
                st.integers(0, 150),
                st.integers(0, 20),
            ),
            max_size=8,
        )
    )
    return FamilyFacts(1, "F001", "phase2", None, members, tuple(attendance), tuple(events), tuple(spells))


SETTINGS = engine.Settings(out_of_work_benefits=frozenset({"JSA", "ESA", "IS", "IB", "SDA"}))
FAMILY = FamilyFacts(1, "F001", "phase2", None)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(rule=rules(), facts=families(), as_of=DAYS)
def test_a_rule_the_import_accepts_is_one_identification_reads(rule, facts, as_of):
    assume(identify_rule_problems(rule, WHERE) == [])
    found = engine.identify_rule_met(facts, as_of, copy.deepcopy(rule), SETTINGS, WHERE)
    assert all(isinstance(line, str) and line for line in found)
    # And the plan holding it is imported and measures the family as the rule alone does.
    plan = load_plan(json.dumps(rotherham_with(rule)), "json")
    by_plan = {s.code: list(s.evidence) for s in engine.by_plan(facts, as_of, SETTINGS, plan)}
    assert (by_plan.get("crime_asb") is not None) == bool(found)
