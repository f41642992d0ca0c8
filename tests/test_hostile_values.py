"""No page answers 500 to an odd value.

Generated from the URL map, so a new page is covered the day it is added: every rule, as a
role that may use it, in a world with one of every record, is sent hostile values (huge and
negative numbers, NUL, U+10FFFF, odd unicode, single-value and edge dates, very long strings)
in each part of its address, in each query parameter its view reads, and in each field of its
forms. Every answer is a normal page, a redirect, or a 4xx page that says what is wrong.

The parameters and fields are found by watching the app read them: each page is opened once
with real values while `request.args` and `request.form` note every name asked for; the
fields a page's forms show are added to those of its POST.
"""

import inspect
import io
import re
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urlencode

import pytest
from flask import Request
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import ImmutableMultiDict

from tests.case_work import error_summary, text
from tests.helpers import csrf_token, sign_in, submit
from tests.url_map import build_world, methods_of, roles_of, rules_of, signed_in_client, url_for_rule

#: the odd values, by what they try
HOSTILE = {
    "10**23": str(10**23),
    "2**63": str(2**63),
    "2**31": str(2**31),
    "-1": "-1",
    "-2**63": str(-(2**63)),
    "NUL": "a\x00b",
    "U+10FFFF": "\U0010ffff",
    "odd unicode": "\u202eZ\u0301\ufeff\U0001f600\ufffd\u00a0",
    "first date": "0001-01-01",
    "last date": "9999-12-31",
    "100,000 characters": "x" * 100_000,
}
#: what a date field (day, month and year boxes) is sent for the edge dates; any other value
#: reaches it as one value instead of three, a single-value date
DATE_PARTS = {"first date": ["1", "1", "0001"], "last date": ["31", "12", "9999"]}
#: the values each field of a form is also sent on its own, the others holding what the page
#: showed, when the page's form sent back unchanged is accepted (so that the value, once past
#: its field's checks, goes as far as a valid form goes)
ONE_FIELD_AT_A_TIME = ("2**31", "100,000 characters")
ONE_DATE_AT_A_TIME = ("first date", "last date")
#: an `<int:...>` part is a run of digits or no address at all: the numbers are tried, and a
#: few of the rest to show that they are turned away; any other part is text, where one
#: number stands for them all
NOT_A_NUMBER = ("NUL", "odd unicode")
A_NUMBER = "10**23"
#: endpoints not sent hostile forms: signing out would end the test's session (signing in
#: is tried below as a visitor)
NOT_POSTED = {"auth.logout"}
#: a path part stands for this while a URL is built, then is replaced by the hostile value
SENTINEL = 918273645
NEVER_READ = {"csrf_token"}
#: query parameters a view reads only once another is there, so one visit does not see them
#: asked for, by endpoint (the survey's check finds any missing here by reading the views' source)
READ_AFTER_ANOTHER: dict[str, set[str]] = {}


# --- the forms on a page ----------------------------------------------------------------------


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    dates: set[str] = field(default_factory=set)


class _Forms(HTMLParser):
    """The forms of a page with the values they show: what a browser would send back."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select: str | None = None
        self._options: list[str] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("method", "get").upper(), a.get("action", "")))
            return
        if not self.forms or not a.get("name"):
            if tag == "option" and self._select:
                self._options.append(a.get("value", ""))
                if "selected" in a:
                    self.forms[-1].fields[self._select] = [a.get("value", "")]
            return
        form, name = self.forms[-1], a["name"]
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                form.fields.setdefault(name, [])
                return
            form.fields.setdefault(name, []).append(a.get("value", ""))
            if "govuk-date-input__input" in a.get("class", ""):
                form.dates.add(name)
        elif tag == "select":
            self._select, self._options = name, []
            form.fields.setdefault(name, [])
        elif tag == "textarea":
            self._textarea = name
            form.fields[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            # nothing selected: a browser sends the first option
            if self.forms and self._select and not self.forms[-1].fields[self._select] and self._options:
                self.forms[-1].fields[self._select] = [self._options[0]]
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1].fields[self._textarea][0] += data


def _forms(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


# --- the names a view reads -------------------------------------------------------------------


class _Noted(ImmutableMultiDict):
    """Query or form values that note each name a view asks for."""

    seen: set[str] = set()

    def __getitem__(self, key):
        _Noted.seen.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        _Noted.seen.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        _Noted.seen.add(key)
        return super().getlist(key, type)

    def __contains__(self, key):
        _Noted.seen.add(key)
        return super().__contains__(key)


class _NotingRequest(Request):
    @property
    def args(self):
        if "_noted_args" not in self.__dict__:
            self.__dict__["_noted_args"] = _Noted(Request.args.__get__(self, type(self)))
        return self.__dict__["_noted_args"]

    @property
    def form(self):
        if "_noted_form" not in self.__dict__:
            self.__dict__["_noted_form"] = _Noted(Request.form.__get__(self, type(self)))
        return self.__dict__["_noted_form"]


@dataclass
class Survey:
    """What one rule reads, found by using it once with real values."""

    query: set[str] = field(default_factory=set)
    fields: set[str] = field(default_factory=set)
    dates: set[str] = field(default_factory=set)
    #: what the page's form holds before anyone changes it
    shown: dict[str, list[str]] = field(default_factory=dict)


def _noting(app, client, method, url, data=None) -> tuple[set[str], object]:
    _Noted.seen = set()
    response = client.open(url, method=method, data=data)
    response.close()
    return set(_Noted.seen), response


def _survey(app, world, clients, posts: bool = True) -> dict[str, Survey]:
    """What each rule (by its pattern) reads."""
    surveys: dict[str, Survey] = {}
    original = app.request_class
    app.request_class = _NotingRequest
    try:
        for rule in rules_of(app):
            survey = surveys.setdefault(rule.rule, Survey())
            client = clients[_role(app, rule)]
            url = url_for_rule(rule, world.values)
            if "GET" in rule.methods:
                names, response = _noting(app, client, "GET", url)
                survey.query |= names
                # a page's forms (a PDF or a ZIP has none)
                for form in _forms(response.get_data(as_text=True)) if response.mimetype == "text/html" else []:
                    if form.method == "GET" and form.action in ("", url.split("?")[0]):
                        survey.query |= set(form.fields)
                        survey.dates |= form.dates
                    if form.method == "POST" and form.action in ("", url):
                        survey.fields |= set(form.fields)
                        survey.dates |= form.dates
                        survey.shown = form.fields
            # a form the page shows is known from the page; a POST is sent to find the fields
            # of the others (and those a page leaves out), which the tests would post anyway
            if posts and "POST" in rule.methods and rule.endpoint not in NOT_POSTED:
                names, _ = _noting(app, client, "POST", url, {"csrf_token": csrf_token(client, "/")})
                survey.fields |= names
    finally:
        app.request_class = original
    for rule in rules_of(app):
        surveys[rule.rule].query |= READ_AFTER_ANOTHER.get(rule.endpoint, set())
    for survey in surveys.values():
        survey.query -= NEVER_READ
        survey.fields -= NEVER_READ
    return surveys


# --- checking an answer -----------------------------------------------------------------------


def _role(app, rule) -> str:
    allowed = roles_of(app, rule)
    return "coordinator" if "coordinator" in allowed else sorted(allowed)[0]


def _clients(app, world) -> dict:
    users = {**world.users, "lead_worker": world.owner}
    return {role: signed_in_client(app, user) for role, user in users.items()}


def _says_what_is_wrong(response) -> bool:
    """A 4xx is the service's own page with a heading and words, or a form with its errors."""
    html = response.get_data(as_text=True)
    if error_summary(response):
        return True
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    body = re.search(r'<p class="govuk-body">(.*?)</p>', html, re.S)
    return bool("govuk-template" in html and heading and heading.group(1).strip() and body and body.group(1).strip())


def _check(failures: list, what: str, response) -> None:
    response.get_data()  # a streamed download is read to its end
    response.close()
    if response.status_code >= 500:
        failures.append(f"{what}: {response.status_code}")
    elif response.status_code >= 400 and not _says_what_is_wrong(response):
        failures.append(f"{what}: {response.status_code} without a message")


def _report(failures: list, tried: int) -> None:
    shown = "\n".join(failures[:40])
    more = f"\n... and {len(failures) - 40} more" if len(failures) > 40 else ""
    assert not failures, f"{len(failures)} of {tried} requests failed:\n{shown}{more}"


def _hostile_url(rule, values: dict, arg: str, value: str) -> str:
    url = url_for_rule(rule, values, **{arg: SENTINEL})
    return url.replace(str(SENTINEL), quote(value, safe=""), 1)


def _short(value: str) -> str:
    return next(name for name, v in HOSTILE.items() if v == value)


@pytest.fixture
def world(clean, make):
    return build_world(clean, make)


# --- the three ways in: the address, its query, the forms -------------------------------------


def _addresses(app, world, clients, surveys, token) -> tuple[list, int]:
    failures, tried = [], 0
    for rule in rules_of(app):
        if rule.endpoint in NOT_POSTED:
            continue
        role = _role(app, rule)
        # the address is read the same way whatever the method: one of them is enough
        method = methods_of(rule)[0]
        for arg in sorted(rule.arguments):
            numeric = f"<int:{arg}>" in rule.rule
            for name, value in HOSTILE.items():
                number = value.lstrip("-").isdigit()
                if (numeric and not number and name not in NOT_A_NUMBER) or (
                    not numeric and number and name != A_NUMBER
                ):
                    continue
                url = _hostile_url(rule, world.values, arg, value)
                data = {"csrf_token": token[role]} if method == "POST" else None
                response = clients[role].open(url, method=method, data=data)
                tried += 1
                _check(failures, f"{method} {rule.rule} with {arg}={name} as {role}", response)
    return failures, tried


def _query_parameters(app, world, clients, surveys, token) -> tuple[list, int]:
    failures, tried = [], 0
    for rule in rules_of(app):
        if "GET" not in rule.methods:
            continue
        role = _role(app, rule)
        survey = surveys[rule.rule]
        url = url_for_rule(rule, world.values)
        for param in sorted(survey.query):
            for name, value in HOSTILE.items():
                sent = DATE_PARTS.get(name, [value]) if param in survey.dates else [value]
                response = clients[role].get(f"{url}?{urlencode([(param, v) for v in sent])}")
                tried += 1
                _check(failures, f"GET {url}?{param}={name} as {role}", response)
    return failures, tried


def _form_fields(app, world, clients, surveys, token) -> tuple[list, int]:
    """Every POST form, all its fields holding the value at once; then, for a form the page
    shows complete, one field at a time with the rest as the page showed them."""
    failures, tried, accepted = [], 0, []
    for rule in rules_of(app):
        if "POST" not in rule.methods or rule.endpoint in NOT_POSTED:
            continue
        role = _role(app, rule)
        survey = surveys[rule.rule]
        url = url_for_rule(rule, world.values)

        def send(data: dict, what: str, role=role, url=url):
            nonlocal tried
            response = clients[role].post(url, data={**data, "csrf_token": token[role]})
            tried += 1
            _check(failures, f"POST {url} {what} as {role}", response)
            return response

        if not survey.fields:  # a button: its token is all it sends
            send({}, "with no fields")
            continue
        for name, value in HOSTILE.items():
            send({f: DATE_PARTS.get(name, [value]) if f in survey.dates else [value] for f in survey.fields}, name)
        if send(survey.shown, "as shown").status_code != 302:
            continue
        accepted.append(rule.endpoint)
        for f in sorted(survey.fields):
            for name in ONE_DATE_AT_A_TIME if f in survey.dates else ONE_FIELD_AT_A_TIME:
                send({**survey.shown, f: DATE_PARTS.get(name, [HOSTILE[name]])}, f"{f}={name}")
    # the field-by-field posts reach past the forms' checks only if some forms are complete
    assert {"auth.edit_user", "cases.edit", "teams.team_form", "family_evidence.edit_event", "plans.edit"} <= set(
        accepted
    )
    print(f"\nposted field by field: {', '.join(accepted)}")
    return failures, tried


#: `request.args.get("x")`, `request.args["x"]`, `query_int("x")`
_READS = re.compile(r"""(?:request\.args(?:\.get\(|\.getlist\(|\[)|query_int\()\s*["'](\w+)["']""")
#: what the sign-in page reads from its address (it is open to visitors, so not in the survey)
SIGN_IN_QUERY = {"next"}


def _assert_the_survey_is_complete(app, surveys) -> None:
    """The generated test is only as good as the names found: the known ones are found, and a
    name read in a view module's source (`request.args.get("x")`, `query_int("x")`) that no
    visit saw asked for must be in READ_AFTER_ANOTHER, or it would go untried."""
    by_rule, surveys = surveys, {}
    for rule in rules_of(app):
        merged = surveys.setdefault(rule.endpoint, Survey())
        merged.query |= by_rule[rule.rule].query
        merged.fields |= by_rule[rule.rule].fields
        merged.dates |= by_rule[rule.rule].dates
    assert {"q", "page", "worker", "status", "programme", "criterion", "sort"} <= surveys["cases.index"].query
    assert "before" in surveys["audit.index"].query
    assert {"before_at", "before_id", "family", "user"} <= surveys["privacy.family_views"].query
    assert {"before", "after", "run", "kind", "state"} <= surveys["evidence.unmatched"].query
    assert "as_of" in surveys["family_results.index"].query
    assert {"name", "max_open_cases", "max_per_worker"} <= surveys["teams.team_form"].fields
    assert {"max_caseload", "role", "password"} <= surveys["auth.edit_user"].fields
    assert {"criteria", "note"} <= surveys["family_criteria.record"].fields
    assert "reason" in surveys["family_criteria.reject"].fields
    assert "text" in surveys["plans.edit"].fields
    assert "closed_on" in surveys["cases.close"].dates

    tried_by_module: dict[str, set[str]] = {}
    for rule in rules_of(app):
        module = app.view_functions[rule.endpoint].__module__
        tried_by_module.setdefault(module, set()).update(by_rule[rule.rule].query)
    tried_by_module["tff.auth.views"] |= SIGN_IN_QUERY
    read = {module: set(_READS.findall(inspect.getsource(sys.modules[module]))) for module in tried_by_module}
    assert read["tff.audit.views"] >= {"before"}  # the pattern finds what it should
    untried = {
        module: names - tried_by_module[module] for module, names in read.items() if names - tried_by_module[module]
    }
    assert not untried, f"query parameters read but never tried: {untried}"


# --- the tests --------------------------------------------------------------------------------


def test_no_page_answers_500_to_a_hostile_value_in_its_address_query_or_forms(clean, world):
    """One world and one survey for the three: in the order that changes least first."""
    clients = _clients(clean, world)
    surveys = _survey(clean, world, clients)
    _assert_the_survey_is_complete(clean, surveys)
    token = {role: csrf_token(client, "/") for role, client in clients.items()}
    failures, counts = [], {}
    for way in (_addresses, _query_parameters, _form_fields):
        started = time.monotonic()
        found, tried = way(clean, world, clients, surveys, token)
        failures += found
        counts[way.__name__.strip("_")] = tried
        print(f"\n{way.__name__.strip('_')}: {tried} requests in {time.monotonic() - started:.1f}s")
    assert counts["addresses"] > 300 and counts["query_parameters"] > 150 and counts["form_fields"] > 500
    _report(failures, sum(counts.values()))


def test_signing_in_with_a_hostile_email_password_or_next_page_is_never_a_500(clean, make):
    user = make.user("coordinator")
    failures, tried = [], 0
    for name, value in HOSTILE.items():
        client = clean.test_client()
        for data in ({"email": value, "password": "x"}, {"email": "a@example.org", "password": value}):
            response = client.post("/login", data={**data, "csrf_token": csrf_token(client, "/login")})
            tried += 1
            _check(failures, f"sign-in with {name} in {sorted(data)}", response)
        for param in SIGN_IN_QUERY:
            address = f"/login?{urlencode({param: value})}"
            response = client.get(address)
            _check(failures, f"GET /login?{param}={name}", response)
            data = {"email": user.email, "password": user.password, "csrf_token": csrf_token(client, "/login")}
            response = client.post(address, data=data)
            _check(failures, f"signing in with {param}={name}", response)
            tried += 2
    _report(failures, tried)


# --- the odd values seen to fail, one by one ----------------------------------------------------


def test_a_search_for_the_last_code_point_lists_no_family_and_a_prefix_still_finds_its_family(client, make):
    make.family("F-ODD")
    sign_in(client, make.user("coordinator").email)
    response = client.get("/families/?q=%F4%8F%BF%BF")
    assert response.status_code == 200
    assert "No families match" in text(response)
    found = client.get("/families/?q=F-OD")
    assert found.status_code == 200 and "F-ODD" in text(found)


@pytest.mark.parametrize(
    ("prefix", "after"),
    [("ab", "ac"), ("a\U0010ffff", "b"), ("a\U0010ffff\U0010ffff", "b"), ("\U0010ffff", None), ("\ud7ff", "\ue000")],
    ids=["plain", "last-code-point", "two-last-code-points", "only-last-code-points", "before-the-surrogates"],
)
def test_the_end_of_a_search_prefix_range_is_a_character_a_database_holds(prefix, after):
    from tff.cases.search import _after

    assert _after(prefix) == after


@given(st.text(min_size=1, max_size=6), st.text(max_size=4))
def test_every_text_starting_with_a_prefix_is_inside_its_range(prefix, rest):
    from tff.cases.search import _after

    prefix = "".join(c for c in prefix if not 0xD800 <= ord(c) <= 0xDFFF) or "a"
    end = _after(prefix)
    assert prefix <= prefix + rest and (end is None or prefix + rest < end)
    assert end is None or not any(0xD800 <= ord(c) <= 0xDFFF for c in end)


@pytest.mark.parametrize("number", [str(2**31), str(2**63), str(10**23), "9" * 5000])
def test_an_address_number_larger_than_a_record_id_is_page_not_found(client, make, number):
    sign_in(client, make.user("admin").email)
    for address in (f"/jobs/{number}", f"/admin/teams/{number}", f"/families/F1/notes/{number}"):
        response = client.get(address)
        assert response.status_code == 404, address
        assert "Page not found" in text(response)


def test_the_largest_record_id_is_an_address_that_finds_nothing(client, make):
    """2^31 - 1 fits the id columns: the page looks for it, and does not find it."""
    from tff.inputs import RecordIdConverter

    sign_in(client, make.user("admin").email)
    assert client.get(f"/jobs/{2**31 - 1}").status_code == 404
    assert client.get(f"/admin/users/{2**31 - 1}").status_code == 404
    assert RecordIdConverter.regex == "[0-9]{1,10}"


@pytest.mark.parametrize("page", ["2", str(2**31), str(2**63), str(10**23), "-1", "x"])
def test_a_page_of_families_beyond_the_last_shows_the_last(client, make, page):
    for n in range(3):
        make.family(f"F-PAGE-{n}")
    sign_in(client, make.user("coordinator").email)
    response = client.get(f"/families/?page={page}")
    assert response.status_code == 200
    assert all(f"F-PAGE-{n}" in text(response) for n in range(3))


@pytest.mark.parametrize("worker", [str(2**31), str(2**63), str(10**23)])
def test_families_of_a_worker_number_no_worker_can_have_lists_them_all(client, make, worker):
    make.family("F-ANY")
    sign_in(client, make.user("coordinator").email)
    response = client.get(f"/families/?worker={worker}")
    assert response.status_code == 200 and "F-ANY" in text(response)


@pytest.mark.parametrize("before", [str(2**31), str(2**63), str(10**23)])
def test_the_audit_trail_and_views_log_start_from_the_newest_for_a_number_too_large(client, make, before):
    sign_in(client, make.user("admin").email)
    make.family("F-SEEN")
    assert client.get("/families/F-SEEN").status_code == 200  # a view, logged; an audit entry
    audit = client.get(f"/audit/?before={before}")
    assert audit.status_code == 200 and "govuk-table" in audit.get_data(as_text=True)
    views = client.get(f"/privacy/family-views?before_at=2099-01-01T00:00:00&before_id={before}")
    assert views.status_code == 200 and "F-SEEN" in text(views)


def test_recording_a_blank_criterion_says_it_is_not_a_choice_and_stores_nothing(client, clean, make):
    from sqlalchemy import func, select

    from tff.cases.models import FamilyCriterion
    from tff.extensions import db

    make.family("F-CRIT")
    sign_in(client, make.user("coordinator").email)
    response = submit(client, "/families/F-CRIT/criteria/record", {"criteria": " ", "note": "A home visit"})
    assert response.status_code == 200
    assert "not a valid choice" in error_summary(response)
    with clean.app_context():
        assert db.session.scalar(select(func.count()).select_from(FamilyCriterion)) == 0


@pytest.mark.parametrize(
    ("value", "accepted"),
    [("100000", True), ("100001", False), (str(2**31), False), (str(10**23), False), ("0", False)],
)
def test_a_team_s_most_open_cases_is_at_most_100000(client, make, value, accepted):
    sign_in(client, make.user("admin").email)
    response = submit(client, "/admin/teams/new", {"name": "North", "max_open_cases": value})
    if accepted:
        assert response.status_code == 302
    else:
        assert response.status_code == 200
        problems = error_summary(response)
        expected = "A limit must be 1 or more" if value == "0" else "must be 100,000 or fewer"
        assert expected in problems


@pytest.mark.parametrize(("value", "accepted"), [("1000", True), ("1001", False), (str(10**23), False)])
def test_a_person_s_most_open_cases_is_at_most_1000(client, make, value, accepted):
    person = make.user("lead_worker", name="Lee Worker")
    sign_in(client, make.user("admin").email)
    form = {"name": "Lee Worker", "role": "lead_worker", "active": "y", "max_caseload": value}
    response = submit(client, f"/admin/users/{person.id}", form)
    assert response.status_code == (302 if accepted else 200)
    if not accepted:
        assert "The most open cases this person holds must be 1,000 or fewer" in error_summary(response)


@pytest.mark.parametrize(("value", "accepted"), [("1000000000", True), ("1000000001", False), (str(10**23), False)])
def test_attachment_fees_received_are_at_most_a_billion_pounds(client, make, value, accepted):
    sign_in(client, make.user("finance").email)
    form = {
        "programme": "phase1",
        "financial_year": "2013/14",
        "amount": value,
        "received_on": ["30", "4", "2014"],
        "note": "",
    }
    response = submit(client, "/funding/fees/new", form)
    assert response.status_code == (302 if accepted else 200)
    if not accepted:
        assert "The amount received must be £1,000,000,000 or less" in error_summary(response)


def _nested(fmt: str, depth: int) -> str:
    return "[" * depth + "]" * depth if fmt == "json" else "problems: " + "[" * depth + "]" * depth + "\n"


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_an_outcome_plan_nested_3000_deep_is_refused_saying_so(client, clean, make, fmt):
    from sqlalchemy import func, select

    from tff.extensions import db
    from tff.outcomes.plan_versions.models import OutcomePlanVersion

    sign_in(client, make.user("manager").email)
    upload = {"file": (io.BytesIO(_nested(fmt, 3000).encode()), f"plan.{fmt}"), "fmt": fmt}
    response = submit(client, "/outcome-plans/new", upload, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "line 1: the document is nested more than 50 levels deep" in text(response)
    pasted = submit(client, "/outcome-plans/new", {"text": _nested(fmt, 3000), "fmt": fmt})
    assert "the document is nested more than 50 levels deep" in text(pasted)
    with clean.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutcomePlanVersion)) == 0


def test_an_edited_outcome_plan_nested_too_deep_is_refused_naming_the_line(client, clean, make):
    from tff.auth.models import User
    from tff.extensions import db
    from tff.outcomes.plan_versions.operations import store_shipped

    manager = make.user("manager")
    with clean.app_context():
        version_id = store_shipped(db.session.get(User, manager.id))[0].id
        db.session.commit()
    sign_in(client, manager.email)
    deep = "name: x\nproblems:\n" + "".join("  " * i + "- \n" for i in range(1, 3001))
    response = submit(client, f"/outcome-plans/{version_id}/edit", {"text": deep})
    assert response.status_code == 400
    assert "line 52: the document is nested more than 50 levels deep" in text(response)


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_a_plan_may_nest_50_levels_and_not_51(fmt):
    from tff.outcomes.plans.document import MAX_DEPTH, nested_too_deep

    assert MAX_DEPTH == 50
    assert nested_too_deep("[" * 50 + "]" * 50, fmt) is None
    assert nested_too_deep("[" * 51 + "]" * 51, fmt) == 1
    assert nested_too_deep('{"a": "' + "[" * 60 + '"}', "json") is None  # brackets inside text


@pytest.mark.parametrize(
    ("address", "where"),
    [
        ("/families/?q=a%00b", "“q” in the address"),
        ("/families/?status=%00", "“status” in the address"),
        ("/audit/?user=%00", "“user” in the address"),
        ("/families/F%00X", "the web address"),
        ("/families/?q=%ED%A0%80", None),  # a broken UTF-8 sequence is read as U+FFFD, and stored fine
    ],
)
def test_a_nul_anywhere_in_an_address_is_refused_saying_where(client, make, address, where):
    sign_in(client, make.user("admin").email)
    response = client.get(address)
    if where is None:
        assert response.status_code == 200
        return
    assert response.status_code == 400
    words = text(response)
    assert "There is a problem with the request" in words
    assert f"cannot be stored (a NUL character or a broken character code), in {where}" in words


def test_signing_in_with_a_nul_in_the_email_is_refused_saying_where(client, make):
    user = make.user("coordinator")
    for _ in range(6):
        response = submit(client, "/login", {"email": user.email + "\x00", "password": "wrong"}, form_url="/login")
        assert response.status_code == 400
        assert "“email” in the form" in text(response)
    assert sign_in(client, user.email).status_code == 302


def test_a_nul_in_a_form_field_is_refused_and_nothing_changes(client, clean, make):
    from tff.cases.models import Team
    from tff.extensions import db

    sign_in(client, make.user("admin").email)
    response = submit(client, "/admin/teams/new", {"name": "No\x00rth"}, form_url="/admin/teams/new")
    assert response.status_code == 400
    assert "“name” in the form" in text(response)
    with clean.app_context():
        assert db.session.query(Team).count() == 0


def test_a_very_long_audit_filter_is_said_to_be_too_long(client, make):
    sign_in(client, make.user("admin").email)
    response = client.get("/audit/?" + urlencode({"user": "x" * 100_000}))
    assert response.status_code == 200
    assert "Who (email contains) must be 254 characters or fewer" in error_summary(response)


@pytest.mark.parametrize(("value", "accepted"), [("100000", True), ("100001", False), (str(2**31), False)])
def test_a_provider_s_capacity_is_at_most_100000(client, make, value, accepted):
    sign_in(client, make.user("admin").email)
    form = {"name": "Parenting Plus", "service_type": "family_support", "capacity": value, "active": "y"}
    response = submit(client, "/providers/new", form)
    assert response.status_code == (302 if accepted else 200)
    if not accepted:
        assert "Capacity must be 100,000 or fewer, or empty for no limit" in error_summary(response)


@pytest.mark.parametrize(("value", "problem"), [(str(10**23), "£1,000,000,000 or less"), ("0", "more than 0")])
def test_a_payment_is_a_whole_number_of_pounds_up_to_a_billion(app, value, problem):
    from tff.claims.forms import PaymentForm

    data = {"amount": value, "paid_on": ["1", "8", "2013"]}
    with app.test_request_context(method="POST", data=data):
        form = PaymentForm(meta={"csrf": False})
        assert not form.validate()
        assert problem in form.amount.errors[0]
