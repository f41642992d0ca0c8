"""An outcome plan as data (`outcome-plans.md`): a named, versioned document that says, for each
headline problem, what counts as significant and sustained progress, built from a fixed set of
measures combined with `all_of`, `any_of` and `not`.

`parse_plan()` checks a plan read from a file or a form and collects every error at once, each
naming where in the plan it is (`problems[2] (education).test.all_of[1]: ...`), so that a
manager can fix them all in one go. `load_plan()` and `dump_plan()` read and write YAML or JSON;
`load_plan(dump_plan(doc, fmt), fmt) == doc`."""

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import yaml

PHASE2 = "phase2"
SUPPORTING_FAMILIES = "supporting_families"
FRAMEWORKS = (PHASE2, SUPPORTING_FAMILIES)
#: the fewest headline problems a family on the framework has
MIN_PROBLEMS = {PHASE2: 2, SUPPORTING_FAMILIES: 3}

MEMBER_SETS = ("everyone", "children", "adults", "with_problem")
COMBINATORS = ("all_of", "any_of", "not")
FORMATS = ("yaml", "json")

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_REQUIRED = object()


@dataclass(frozen=True, slots=True)
class _Param:
    """One parameter of a measure: its kind of value and its default (`_REQUIRED`: none)."""

    kind: str
    default: object = _REQUIRED


#: measure -> its default member set and its parameters, in the order a plan file lists them
MEASURES: Mapping[str, tuple[str, dict[str, _Param]]] = {
    "attendance_rate": (
        "children",
        {"terms": _Param("count", 3), "mode": _Param("mode", "each"), "at_least_percent": _Param("percent")},
    ),
    "unauthorised_absence": (
        "children",
        {"terms": _Param("count", 3), "below_percent": _Param("percent", 15)},
    ),
    "exclusions": (
        "children",
        {
            "terms": _Param("count", 3),
            "fixed_fewer_than": _Param("count", 3),
            "permanent_at_most": _Param("number", 0),
        },
    ),
    "event_count": (
        "everyone",
        {"kinds": _Param("kinds"), "months": _Param("count"), "at_most": _Param("number", 0)},
    ),
    "event_reduction": (
        "everyone",
        {"kinds": _Param("kinds"), "percent": _Param("percent"), "months": _Param("count", 6)},
    ),
    "spell_state": ("everyone", {"kinds": _Param("kinds"), "months": _Param("count")}),
    "continuous_employment": ("adults", {"weeks": _Param("count", 26)}),
    "progress_to_work": ("adults", {"kinds": _Param("kinds", ("work_programme", "esf"))}),
    "verified": ("everyone", {"outcome": _Param("code")}),
}

_PLAN_KEYS = (
    "name",
    "version",
    "title",
    "framework",
    "rates",
    "continuous_employment_weeks",
    "sustain_months_after_closure",
    "problems",
)
_RATE_KEYS = ("attachment_fee", "result", "continuous_employment")
_PROBLEM_KEYS = ("code", "title", "identify", "test")


class PlanInvalid(ValueError):
    """A plan that cannot be used; `.errors` says every way it is wrong, each naming where."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


@dataclass(frozen=True, slots=True)
class PlanRates:
    """Whole pounds paid under the plan. `continuous_employment` is None for a plan with no
    separate continuous employment result (Supporting Families)."""

    attachment_fee: int
    result: int
    continuous_employment: int | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """A headline problem: its code and title, optionally how it is identified from data (its
    `identify` rule, as identification reads it: `identify_rule_problems`), and its test for
    significant and sustained progress: a tree of `{"all_of": [...]}`, `{"any_of": [...]}`,
    `{"not": {...}}` and measures `{"measure": NAME, "members": ..., parameters...}` with every
    default filled in."""

    code: str
    title: str
    test: dict
    identify: dict | None = None


@dataclass(frozen=True, slots=True)
class PlanDocument:
    name: str
    version: int
    title: str
    #: phase2 or supporting_families
    framework: str
    rates: PlanRates
    problems: tuple[Problem, ...] = ()
    #: months the family must stay on track after its case closes before a result (0: none)
    sustain_months_after_closure: int = 0
    #: weeks of the plan's continuous employment result (when its rates include one)
    continuous_employment_weeks: int = 26

    @property
    def rule_set(self) -> str:
        """How decisions and claim lines name the plan and version they were measured against."""
        return f"{self.name} v{self.version}"

    def problem(self, code: str) -> Problem | None:
        return next((p for p in self.problems if p.code == code), None)


# --- parsing -------------------------------------------------------------------------------------


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _where(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


@dataclass(slots=True)
class _Parser:
    errors: list[str] = field(default_factory=list)
    #: whether each problem's `identify` rule must be one identification reads
    check_identify: bool = False

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def unknown_keys(self, data: Mapping, allowed, path: str) -> None:
        for key in data:
            if key not in allowed:
                self.error(_where(path, str(key)), f"unknown key; the keys are {', '.join(allowed)}")

    def whole(self, data: Mapping, key: str, path: str, minimum: int, what: str, default=_REQUIRED):
        where = _where(path, key)
        if key not in data:
            if default is _REQUIRED:
                self.error(where, "is required")
            return default
        value = data[key]
        if not _is_int(value) or value < minimum:
            self.error(where, f"must be {what}")
            return default if default is not _REQUIRED else None
        return value

    def text(self, data: Mapping, key: str, path: str, pattern: re.Pattern | None = None, what: str = ""):
        where = _where(path, key)
        if key not in data:
            self.error(where, "is required")
            return None
        value = data[key]
        if not isinstance(value, str) or not value.strip():
            self.error(where, "must be some text")
            return None
        if pattern is not None and not pattern.match(value):
            self.error(where, f"{value!r} is not {what}")
            return None
        return value.strip() if pattern is None else value

    def plan(self, data) -> PlanDocument | None:
        if not isinstance(data, Mapping):
            self.error("plan", "must be a mapping of name, version, title, framework, rates and problems")
            return None
        self.unknown_keys(data, _PLAN_KEYS, "")
        name = self.text(data, "name", "", _NAME, "a plan name (lower case letters, digits and hyphens)")
        version = self.whole(data, "version", "", 1, "a whole number, 1 or more")
        title = self.text(data, "title", "")
        framework = data.get("framework")
        if "framework" not in data:
            self.error("framework", "is required")
        elif framework not in FRAMEWORKS:
            self.error("framework", f"{framework!r} is not a framework; the frameworks are {', '.join(FRAMEWORKS)}")
            framework = None
        rates = self.rates(data, framework)
        weeks = self.whole(data, "continuous_employment_weeks", "", 1, "a whole number of weeks, 1 or more", 26)
        sustain = self.whole(data, "sustain_months_after_closure", "", 0, "a whole number of months, 0 or more", 0)
        problems = self.problems(data.get("problems"), "problems" in data)
        if self.errors:
            return None
        return PlanDocument(name, version, title, framework, rates, tuple(problems), sustain, weeks)

    def rates(self, data: Mapping, framework: str | None) -> PlanRates | None:
        if "rates" not in data:
            self.error("rates", "is required")
            return None
        rates = data["rates"]
        if not isinstance(rates, Mapping):
            self.error("rates", "must be a mapping of attachment_fee, result and optionally continuous_employment")
            return None
        self.unknown_keys(rates, _RATE_KEYS, "rates")
        pounds = "a whole number of pounds, 0 or more"
        fee = self.whole(rates, "attachment_fee", "rates", 0, pounds)
        result = self.whole(rates, "result", "rates", 0, pounds)
        employment = self.whole(rates, "continuous_employment", "rates", 0, pounds, None)
        if employment is not None and framework == SUPPORTING_FAMILIES:
            self.error(
                "rates.continuous_employment",
                "Supporting Families has no separate continuous employment result; leave it out",
            )
        if employment is not None and _is_int(result) and employment > result:
            self.error(
                "rates.continuous_employment",
                f"must not be more than rates.result (£{result:,}), the most a family's results add up to",
            )
        if fee is None or result is None:
            return None
        return PlanRates(fee, result, employment)

    def problems(self, problems, given: bool) -> list[Problem]:
        if not given:
            self.error("problems", "is required")
            return []
        if not isinstance(problems, list) or not problems:
            self.error("problems", "must be a list of one or more headline problems")
            return []
        parsed, seen = [], set()
        for index, item in enumerate(problems):
            path = f"problems[{index}]"
            if not isinstance(item, Mapping):
                self.error(path, "must be a mapping of code, title, identify and test")
                continue
            code = item.get("code")
            if isinstance(code, str) and code:
                path = f"{path} ({code})"
            self.unknown_keys(item, _PROBLEM_KEYS, path)
            code = self.text(item, "code", path, _CODE, "a code (lower case letters, digits and underscores)")
            if code is not None and code in seen:
                self.error("problems", f"the code {code!r} is given twice")
            if code is not None:
                seen.add(code)
            title = self.text(item, "title", path)
            identify = item.get("identify")
            if identify is not None:
                if not isinstance(identify, Mapping):
                    self.error(f"{path}.identify", "must be a mapping")
                    identify = None
                else:
                    before = len(self.errors)
                    self.plain(identify, f"{path}.identify")
                    if self.check_identify and len(self.errors) == before:
                        self.errors += identify_rule_problems(identify, f"{path}.identify")
                    identify = copy.deepcopy(dict(identify))
            test = None
            if "test" not in item:
                self.error(f"{path}.test", "is required")
            else:
                test = self.test(item["test"], f"{path}.test")
            if code is not None and title is not None and test is not None:
                parsed.append(Problem(code, title, test, identify))
        return parsed

    def plain(self, value, path: str) -> None:
        """The `identify` mapping must hold only what both YAML and JSON can write."""
        if isinstance(value, Mapping):
            for key, item in value.items():
                if not isinstance(key, str):
                    self.error(path, f"the key {key!r} must be text")
                else:
                    self.plain(item, f"{path}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.plain(item, f"{path}[{index}]")
        elif not (value is None or isinstance(value, (str, int, float, bool))):
            self.error(path, f"must be text, a number, true/false, a list or a mapping, not {value!r}")

    def test(self, node, path: str) -> dict | None:
        if not isinstance(node, Mapping):
            self.error(path, "must be a mapping with one of all_of, any_of, not or measure")
            return None
        heads = [key for key in (*COMBINATORS, "measure") if key in node]
        if len(heads) != 1:
            found = f"it has {', '.join(heads)}" if heads else "it has none"
            self.error(path, f"must have exactly one of all_of, any_of, not or measure; {found}")
            return None
        head = heads[0]
        if head == "measure":
            return self.measure(node, path)
        self.unknown_keys(node, (head,), path)
        if head == "not":
            inner = self.test(node["not"], f"{path}.not")
            return None if inner is None else {"not": inner}
        items = node[head]
        if not isinstance(items, list) or not items:
            self.error(f"{path}.{head}", "must be a list of one or more tests")
            return None
        parsed = [self.test(item, f"{path}.{head}[{index}]") for index, item in enumerate(items)]
        return None if any(p is None for p in parsed) else {head: parsed}

    def measure(self, node: Mapping, path: str) -> dict | None:
        name = node["measure"]
        if name not in MEASURES:
            self.error(path, f"unknown measure {name!r}; the measures are {', '.join(MEASURES)}")
            return None
        default_members, params = MEASURES[name]
        self.unknown_keys(node, ("measure", "members", *params), path)
        before = len(self.errors)
        members = node.get("members", default_members)
        if members not in MEMBER_SETS:
            self.error(f"{path}.members", f"{members!r} is not a set of members; the sets are {', '.join(MEMBER_SETS)}")
        parsed = {"measure": name, "members": members}
        for key, param in params.items():
            parsed[key] = self.param(node, key, param, f"{path}.{key}")
        return None if len(self.errors) > before else parsed

    def param(self, node: Mapping, key: str, param: _Param, where: str):
        if key not in node:
            if param.default is _REQUIRED:
                self.error(where, "is required")
                return None
            return list(param.default) if isinstance(param.default, tuple) else param.default
        value = node[key]
        if param.kind == "count" and not (_is_int(value) and value >= 1):
            self.error(where, "must be a whole number, 1 or more")
        elif param.kind == "number" and not (_is_int(value) and value >= 0):
            self.error(where, "must be a whole number, 0 or more")
        elif param.kind == "percent" and not (_is_int(value) and 0 <= value <= 100):
            self.error(where, "must be a whole number of per cent, 0 to 100")
        elif param.kind == "mode" and value not in ("each", "overall"):
            self.error(where, f"{value!r} must be each (every term) or overall (the terms together)")
        elif param.kind == "code" and not (isinstance(value, str) and _CODE.match(value)):
            self.error(where, f"{value!r} is not an outcome code (lower case letters, digits and underscores)")
        elif param.kind == "kinds":
            if isinstance(value, str):
                value = [value]
            if not (isinstance(value, list) and value and all(isinstance(k, str) and k.strip() for k in value)):
                self.error(where, "must be a kind or a list of one or more kinds")
            elif len(set(value)) != len(value):
                self.error(where, "names a kind twice")
            else:
                return list(value)
        return value


# --- identify rules ------------------------------------------------------------------------------

#: the furthest back an `identify` rule may look, in months and in terms: ten years, more than
#: any rule needs, and within what the rules can count back from any date they judge on
IDENTIFY_MOST_MONTHS = 120
IDENTIFY_MOST_TERMS = 30
#: the whole-number keys of an `identify` rule: the least each may be (as identification reads
#: it) and the most, with what it counts
_IDENTIFY_WHOLE = {
    "months": (1, IDENTIFY_MOST_MONTHS, "months"),
    "months_before_attachment": (1, IDENTIFY_MOST_MONTHS, "months"),
    "terms": (1, IDENTIFY_MOST_TERMS, "terms"),
    "at_least": (1, None, "events"),
    "fixed_exclusions": (1, None, "fixed exclusions"),
    "unauthorised_absence_percent": (0, 100, "per cent"),
    "absence_percent": (0, 100, "per cent"),
}
_IDENTIFY_FLAGS = ("out_of_work_benefit", "permanent_exclusion")
_IDENTIFY_KINDS = {"events": "an event", "spells": "a spell"}


def identify_rule_problems(rule: Mapping, where: str) -> list[str]:
    """Every way an `identify` rule is one identification cannot read, each as
    `where.key: what is wrong`; none when it reads it. Checked against identification's own
    keys, member sets and readers, so that a plan that passes is never refused for the shape of
    a rule when a family's criteria are worked out. Kinds are checked for their shape only: an
    administrator may add event and spell kinds after the plan is imported."""
    from tff.identification import engine  # it reads plans, so it is imported once a rule is read

    keys = (*engine.CONDITIONS, *engine.QUALIFIERS, *engine.WORDS)
    problems = [f"{where}.{key}: unknown key; the keys are {', '.join(keys)}" for key in rule if key not in keys]
    if not any(key in rule for key in engine.CONDITIONS):
        problems.append(f"{where}: names no condition; the conditions are {', '.join(engine.CONDITIONS)}")
    if "months" in rule and "months_before_attachment" in rule:
        problems.append(f"{where}: give months or months_before_attachment, not both")
    for key, (least, most, unit) in _IDENTIFY_WHOLE.items():
        if key not in rule:
            continue
        value = rule[key]
        try:
            readable = engine._whole(rule, key, where, None, least) is not None
        except engine.CannotSuggest:
            readable = False
        if not readable or (most is not None and value > most):
            top = f" to {most}" if most is not None else " or more"
            problems.append(f"{where}.{key}: {value!r} must be a whole number of {unit}, {least}{top}")
    for key in _IDENTIFY_FLAGS:
        if key in rule and not isinstance(rule[key], bool):
            problems.append(f"{where}.{key}: {rule[key]!r} must be true or false")
    for key, family in _IDENTIFY_KINDS.items():
        if key not in rule:
            continue
        try:
            kinds = engine._kinds(rule[key], f"{where}.{key}")
        except engine.CannotSuggest:
            problems.append(f"{where}.{key}: must be {family} kind or a list of one or more kinds")
            continue
        odd = [kind for kind in kinds if not _CODE.match(kind)]
        if odd:
            problems.append(
                f"{where}.{key}: {odd[0]!r} is not {family} kind (lower case letters, digits and underscores)"
            )
    if "members" in rule and rule["members"] not in engine.MEMBER_SETS:
        problems.append(
            f"{where}.members: {rule['members']!r} is not a set of members; "
            f"the sets are {', '.join(engine.MEMBER_SETS)}"
        )
    return problems


def parse_plan(data: dict, *, check_identify: bool = False) -> PlanDocument:
    """The plan in `data` (as read from YAML or JSON), or `PlanInvalid` with every error.

    With `check_identify` (as `load_plan` reads an imported plan), each problem's `identify`
    rule must also be one identification reads (`identify_rule_problems`). A version stored
    already is read without it: one stored before its rules were checked stays readable for its
    outcomes and claims, and identification says which rule it cannot read when it runs."""
    parser = _Parser(check_identify=check_identify)
    plan = parser.plan(data)
    if parser.errors or plan is None:
        raise PlanInvalid(parser.errors or ["plan: could not be read"])
    return plan


#: how many mappings and lists a plan may hold one inside another: a real plan needs about a
#: dozen; thousands would exhaust the readers, which build a document by recursion
MAX_DEPTH = 50
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def nested_too_deep(text: str, fmt: str) -> int | None:
    """The line where the text nests more than MAX_DEPTH levels deep; None when it does not.
    Found without building the document, which is where a deep one would fail."""
    depth = 0
    if fmt == "json":
        for token in _JSON_TOKENS.finditer(text):
            if token.group() in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    return text.count("\n", 0, token.start()) + 1
            elif token.group() in "]}":
                depth -= 1
        return None
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark.line + 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None  # reading it says what is wrong, and where
    return None


def load_plan(text: str, fmt: str) -> PlanDocument:
    """A plan from YAML or JSON text, as a file or form imports it; `PlanInvalid` when the text
    cannot be read (with the line, when the reader says it) or the plan is wrong, an `identify`
    rule identification cannot read included."""
    if fmt not in FORMATS:
        raise ValueError(f"{fmt!r} is not a plan format; the formats are {', '.join(FORMATS)}")
    if (line := nested_too_deep(text, fmt)) is not None:
        raise PlanInvalid([f"line {line:,}: the document is nested more than {MAX_DEPTH} levels deep"])
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise PlanInvalid([f"line {error.lineno}: not valid JSON: {error.msg}"]) from error
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            problem = getattr(error, "problem", None) or str(error)
            where = f"line {mark.line + 1}" if mark is not None else "plan"
            raise PlanInvalid([f"{where}: not valid YAML: {problem}"]) from error
    return parse_plan(data, check_identify=True)


def plan_as_data(doc: PlanDocument) -> dict:
    """The plan as plain data in the order a plan file lists it; `parse_plan` reads it back."""
    rates = {"attachment_fee": doc.rates.attachment_fee, "result": doc.rates.result}
    if doc.rates.continuous_employment is not None:
        rates["continuous_employment"] = doc.rates.continuous_employment
    data = {
        "name": doc.name,
        "version": doc.version,
        "title": doc.title,
        "framework": doc.framework,
        "rates": rates,
    }
    data["continuous_employment_weeks"] = doc.continuous_employment_weeks
    data["sustain_months_after_closure"] = doc.sustain_months_after_closure
    problems = []
    for problem in doc.problems:
        item = {"code": problem.code, "title": problem.title}
        if problem.identify is not None:
            item["identify"] = copy.deepcopy(problem.identify)
        item["test"] = copy.deepcopy(problem.test)
        problems.append(item)
    data["problems"] = problems
    return data


def dump_plan(doc: PlanDocument, fmt: str) -> str:
    """The plan as YAML or JSON text."""
    if fmt not in FORMATS:
        raise ValueError(f"{fmt!r} is not a plan format; the formats are {', '.join(FORMATS)}")
    data = plan_as_data(doc)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
