"""What a council's IT security asks of the service, checked over the whole URL map so that a
new page is covered the day it is added: sign-in, CSRF, family scoping, uploads, CSV
downloads, session rotation and password strength."""

import csv
import io
from datetime import date
from urllib.parse import quote

import pytest
from flask import url_for
from sqlalchemy import func, select

from tests.case_work import error_summary, post
from tests.conftest import build_app
from tests.helpers import PASSWORD, csrf_token, sign_in, submit
from tests.imports_support import families_csv, family, run_import
from tests.url_map import build_world as _world
from tests.url_map import methods_of as _methods
from tests.url_map import roles_of as _roles
from tests.url_map import rules_of as _rules
from tests.url_map import signed_in_client as _client
from tests.url_map import url_for_rule as _url
from tff.extensions import db

#: words in a URL that name something belonging to a family
FAMILY_OWNED = (
    "famil",
    "member",
    "referral",
    "note",
    "evidence",
    "event",
    "spell",
    "caf",
    "consent",
    "screening",
    "assessment",
    "priorit",
    "plan",
    "action",
    "meeting",
    "review",
    "verified",
    "outcome",
    "result",
    "level",
    "timeline",
    "taf",
    "lines",
)
#: the only pages without a family reference in their address that a lead worker (who sees
#: only their own families) may open: each lists or counts through `visible_families`, or
#: shows the worker's own jobs
LEAD_WORKER_PAGES_WITHOUT_A_REFERENCE = {
    "pages.home",
    "cases.index",
    "cases.index_csv",
    "identification.worklist",
    "identification.worklist_csv",
    "jobs.index",
    "jobs.show",
    "jobs.status",
    "auth.logout",
}
#: characters that make a spreadsheet run a cell as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def world(clean, make):
    return _world(clean, make)


#: the record of who opened which family's pages: an attempt is recorded, and is not a change
READ_LOGS = {"family_views"}


def _everything(app) -> dict:
    """Every row of every table, to show that a refused request changed nothing at all."""
    with app.app_context():
        return {
            table.name: sorted(map(repr, db.session.execute(select(table)).all()))
            for table in db.metadata.sorted_tables
            if table.name not in READ_LOGS
        }


# --- 1. sign-in ---------------------------------------------------------------------------------


def test_every_address_and_method_but_sign_in_sends_a_visitor_to_sign_in(client, clean, world):
    """Real values in every address (so a view that looked the record up first would show it),
    and every method; posts carry a visitor's valid CSRF token, so it is the sign-in check
    that refuses them, not the token check."""
    before = _everything(clean)
    token = csrf_token(client, "/login")
    tried = 0
    for rule in _rules(clean):
        url = _url(rule, world.values)
        for method in _methods(rule):
            data = {"csrf_token": token} if method != "GET" else None
            response = client.open(url, method=method, data=data)
            tried += 1
            assert response.status_code == 302, f"{method} {url} answered {response.status_code} to a visitor"
            assert response.headers["Location"].startswith("/login"), f"{method} {url}"
    assert tried > 100
    assert _everything(clean) == before


# --- 2. CSRF ------------------------------------------------------------------------------------


def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(clean, world):
    """For each rule taking POST, a user whose role may use it posts without a token."""
    users = {**world.users, "lead_worker": world.owner}
    clients = {role: _client(clean, user) for role, user in users.items()}
    before = _everything(clean)
    posts = [rule for rule in _rules(clean) if "POST" in rule.methods]
    assert len(posts) >= 40
    for rule in posts:
        roles = _roles(clean, rule)
        role = "coordinator" if "coordinator" in roles else sorted(roles)[0]
        url = _url(rule, world.values)
        response = clients[role].post(url, data={"confirm": "y"})
        assert response.status_code == 400, f"POST {url} ({rule.endpoint}) without a CSRF token: {response.status_code}"
        assert "The form has expired" in response.get_data(as_text=True), rule.endpoint
    assert _everything(clean) == before
    for client in clients.values():
        assert client.get("/").status_code == 200  # nobody was signed out either


def test_a_visitor_posting_to_sign_in_without_a_token_is_refused(client, make):
    user = make.user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


# --- 3. another worker's family ---------------------------------------------------------------


def _family_rules(app):
    return [rule for rule in _rules(app) if "reference" in rule.arguments]


def test_every_address_naming_a_family_record_carries_the_family_reference(app):
    """A URL that names a family's record by its own id alone would skip the scoping check:
    every such rule has the reference in it, or is closed to lead workers (who alone are
    scoped) and listed here."""
    closed_to_lead_workers = []
    for rule in _rules(app):
        if "reference" in rule.arguments or not any(word in rule.rule.lower() for word in FAMILY_OWNED):
            continue
        if rule.endpoint in LEAD_WORKER_PAGES_WITHOUT_A_REFERENCE:
            continue
        assert "lead_worker" not in _roles(app, rule), (
            f"{rule.rule} names a family's record without its reference, and lead workers may use it"
        )
        closed_to_lead_workers.append(rule.endpoint)
    assert {"claims.line", "evidence.show", "verified_outcomes.queue"} <= set(closed_to_lead_workers)


def test_lead_workers_reach_family_data_only_through_a_family_reference(app):
    for rule in _rules(app):
        if "lead_worker" in _roles(app, rule) and "reference" not in rule.arguments:
            assert rule.endpoint in LEAD_WORKER_PAGES_WITHOUT_A_REFERENCE, (
                f"{rule.rule} is open to lead workers without a family reference: scope it, then list it here"
            )


def test_every_family_address_answers_another_lead_worker_as_if_the_family_did_not_exist(clean, world):
    """GET and POST (with a valid token) of every family-scoped rule, as a lead worker who does
    not lead the family: a 404, the same as for a made-up reference, and nothing changes. Rules
    a lead worker may not use at all are refused by role (403) whatever the reference."""
    intruder = _client(clean, world.intruder)
    token = csrf_token(intruder, "/")
    rules = _family_rules(clean)
    assert len(rules) >= 40
    names = {rule.endpoint for rule in rules}
    assert {"cases.show", "cases.member", "progress.note", "caf.plan", "verified_outcomes.index"} <= names
    before = _everything(clean)
    for rule in rules:
        expected = 404 if "lead_worker" in _roles(clean, rule) else 403
        for reference in (world.theirs.reference, "NO-SUCH-FAMILY"):
            url = _url(rule, world.values, reference=reference)
            for method in _methods(rule):
                response = intruder.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
                assert response.status_code == expected, f"{method} {url}: {response.status_code}, not {expected}"
                assert world.theirs.reference not in response.get_data(as_text=True) or reference != "F-OWNED"
    assert _everything(clean) == before


def test_a_record_of_another_family_is_not_found_under_your_own_family(clean, world):
    """The worker's own reference with another family's member, note, action... in the address:
    the record is looked up within the family, so it is not found."""
    intruder = _client(clean, world.intruder)
    token = csrf_token(intruder, "/")
    before = _everything(clean)
    tried = 0
    for rule in _family_rules(clean):
        record_args = set(rule.arguments) - {"reference", "kind", "step", "decision", "section"}
        if not record_args or "lead_worker" not in _roles(clean, rule):
            continue
        url = _url(rule, world.values, reference=world.mine.reference)
        for method in _methods(rule):
            response = intruder.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
            tried += 1
            assert response.status_code == 404, f"{method} {url}: {response.status_code}"
    assert tried >= 15
    assert _everything(clean) == before


def test_the_family_s_own_lead_worker_can_open_every_family_page(clean, world):
    """The other side of the scoping: the same addresses work for the family's lead worker,
    so the 404s above come from the scoping and not from a broken address."""
    owner = _client(clean, world.owner)
    for rule in _family_rules(clean):
        if "GET" not in rule.methods or "lead_worker" not in _roles(clean, rule):
            continue
        url = _url(rule, world.values)
        response = owner.get(url)
        assert response.status_code in (200, 302), f"GET {url}: {response.status_code}"


# --- 4. uploads -------------------------------------------------------------------------------


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_the_upload_limit_takes_a_region_s_file_and_no_more_than_that(app):
    from config import Config

    # a wide evidence row: every identity column filled, and a few words of detail
    row = (
        "P0000123456,A123456789012,AB123456C,Christopher,Featherstonehaugh-Smythe,2005-11-23,"
        "police_callout,2014-06-01,REF-000123456,police,domestic incident reported at home\r\n"
    )
    assert len(row) >= 140
    for limit in (Config.MAX_CONTENT_LENGTH, app.config["MAX_CONTENT_LENGTH"]):
        assert 5_000_000 * len(row) <= limit <= 2 * 1024**3


@pytest.mark.parametrize(
    ("url", "field", "filename", "role"),
    [
        ("/imports/new", "file", "families.csv", "coordinator"),
        ("/outcome-plans/new", "file", "plan.yaml", "manager"),
    ],
)
def test_an_upload_over_the_limit_is_a_styled_413_and_nothing_is_stored(database_url, make, url, field, filename, role):
    from tff.imports.models import ImportRun
    from tff.outcomes.plan_versions.models import OutcomePlanVersion

    user = make.user(role)
    app = build_app(database_url, MAX_CONTENT_LENGTH=64 * 1024)
    client = app.test_client()
    sign_in(client, user.email)
    big = b"family_ref,programme\r\n" + b"F0001,phase1\r\n" * 10_000
    response = submit(
        client, url, {"kind": "families", field: (io.BytesIO(big), filename)}, content_type="multipart/form-data"
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "The file is too large" in page and "govuk-template" in page
    assert _count(app, ImportRun) == 0 and _count(app, OutcomePlanVersion) == 0


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
ZIP = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + b"family_ref,programme\r\n" * 4


@pytest.mark.parametrize(
    ("content", "filename", "mimetype", "error"),
    [
        (PNG, "families.png", "image/png", "The file must be a CSV file"),
        (PNG, "families.csv", "text/csv", "The file is not a CSV file, whatever its name says"),
        (ZIP, "families.csv", "text/csv", "The file is not a CSV file, whatever its name says"),
        (ZIP, "families.xlsx", "application/octet-stream", "The file must be a CSV file, ending .csv"),
        ("family_ref,programme\r\n".encode("utf-16"), "families.csv", "text/csv", "not a CSV file"),
        (b"family_ref,programme\r\nF1,phase1\r\n", "families.exe", "text/csv", "ending .csv"),
    ],
    ids=["a-png", "a-png-renamed-csv", "a-zip-renamed-csv", "a-spreadsheet", "utf-16", "wrong-extension"],
)
def test_an_import_that_is_not_csv_is_refused_with_a_clear_message_and_not_stored(
    client, make, clean, content, filename, mimetype, error
):
    from tff.imports.models import ImportRun

    sign_in(client, make.user("coordinator").email)
    form = {"kind": "families", "file": (io.BytesIO(content), filename, mimetype)}
    response = submit(client, "/imports/new", form, content_type="multipart/form-data")
    assert response.status_code == 200
    assert error in error_summary(response)
    assert _count(clean, ImportRun) == 0


@pytest.mark.parametrize(
    ("content", "filename", "error"),
    [
        (PNG, "plan.yaml", "The file is not UTF-8 text"),
        (ZIP, "plan.json", "Line 1 holds a NUL byte"),
        (b"name: phase1\n", "plan.txt", "The file must end .yaml, .yml or .json"),
        (b"name: x\n" * 80_000, "plan.yaml", "The file is larger than 512 KB"),
    ],
    ids=["a-png-renamed-yaml", "a-zip-renamed-json", "wrong-extension", "too-large-for-a-plan"],
)
def test_an_outcome_plan_upload_that_is_not_a_plan_is_refused_and_not_stored(
    client, make, clean, content, filename, error
):
    from tff.outcomes.plan_versions.models import OutcomePlanVersion

    sign_in(client, make.user("manager").email)
    form = {"file": (io.BytesIO(content), filename), "fmt": "yaml"}
    response = submit(client, "/outcome-plans/new", form, content_type="multipart/form-data")
    assert response.status_code in (200, 400)
    assert error in error_summary(response)
    assert _count(clean, OutcomePlanVersion) == 0


def test_the_only_file_uploads_are_the_import_and_the_outcome_plan(app):
    """Every form with a file field (the app has imported them all): a new one must be added
    to the tests above."""
    from flask_wtf import FlaskForm
    from flask_wtf.file import FileField

    from tff.imports.forms import ImportForm
    from tff.outcomes.plan_versions.forms import PlanImportForm

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    def has_a_file(form) -> bool:
        fields = [getattr(value, "field_class", None) for value in vars(form).values()]
        return any(isinstance(field, type) and issubclass(field, FileField) for field in fields)

    assert {form for form in subclasses(FlaskForm) if has_a_file(form)} == {ImportForm, PlanImportForm}


# --- 5. CSV downloads -------------------------------------------------------------------------


#: every download a spreadsheet opens, and the one not neutralised
NEUTRALISED_CSV = {
    "claims.lines_csv",
    "claims.summary_csv",
    "imports.rejections_csv",
    "funding.table_csv",
    "spending.table_csv",
    "privacy.family_views_csv",
    "identification.worklist_csv",
    "cases.index_csv",
    "audit.download",
    "outcomes.near_misses_csv",
}
#: the import's file, handed back byte for byte as it was uploaded: it is the record of what
#: was imported, so it is not rewritten
AS_UPLOADED = {"imports.raw_file"}


@pytest.mark.parametrize("start", FORMULA_START)
def test_a_cell_a_spreadsheet_would_run_is_made_plain_text(start):
    from tff.exports import csv_text, neutralise

    assert neutralise(f"{start}1+1") == f"'{start}1+1"
    assert neutralise("F001") == "F001"
    written = list(csv.reader(io.StringIO("".join(csv_text([[f"{start}cmd|' /C calc'!A0", "ok"]])))))
    assert written == [[f"'{start}cmd|' /C calc'!A0", "ok"]]


def test_every_csv_download_is_known_and_none_answers_with_an_error(clean, world):
    """Every GET page, opened by a role allowed it, in the world above: none fails, and the
    ones answering CSV are the downloads tested below."""
    users = {**world.users, "lead_worker": world.owner}
    clients = {}
    found = set()
    for rule in _rules(clean):
        if "GET" not in rule.methods:
            continue
        role = sorted(_roles(clean, rule))[0]
        if role not in clients:
            clients[role] = _client(clean, users[role])
        url = _url(rule, world.values)
        response = clients[role].get(url)
        response.get_data()  # a streamed download is read to its end, and closed
        response.close()
        assert response.status_code < 500, f"GET {url} as {role}: {response.status_code}"
        if response.mimetype == "text/csv":
            found.add(rule.endpoint)
    assert found == NEUTRALISED_CSV | AS_UPLOADED


HOSTILE = {
    "reference": '=HYPERLINK("evil.example","Click")',
    "name": "@Admin+cmd|' /C calc'!A0",
    "window": "@SUM(1+1)*cmd|' /C calc'!A0",
    "team": "+1+cmd|' /C calc'!A0",
    "rejected": "-2+3+cmd|' /C calc'!A0",
}


def _cells(response) -> list[str]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return [cell for row in csv.reader(io.StringIO(response.get_data(as_text=True))) for cell in row]


def test_hostile_values_in_every_csv_download_are_neutralised(client, make, clean):
    from tests.test_funding import _example_one
    from tff.cases.models import Family, Team
    from tff.claims import operations as claims

    worker = make.user("lead_worker")
    _example_one(clean, HOSTILE["reference"])
    with clean.app_context():
        from tff.auth.models import User

        team = Team(name=HOSTILE["team"])
        db.session.add(team)
        db.session.flush()
        db.session.get(User, worker.id).team_id = team.id
        db.session.scalar(select(Family)).lead_worker_id = worker.id
        db.session.commit()
        window = claims.create_window("2013-07", date(2013, 7, 31), sample_percent=0)
        window.name = HOSTILE["window"]  # a name stored before names were checked
        assert claims.start_assembly(window, queue=False).state == "succeeded"
        claims.submit(window)
        window_id = window.id
    coordinator = make.user("coordinator")
    rejected = run_import(
        clean, "families", families_csv(family(HOSTILE["rejected"], programme="\t=1+1")), user_id=coordinator.id
    )
    assert rejected.rejected == 1

    sign_in(client, make.user("admin", name=HOSTILE["name"]).email)
    assert client.get(f"/families/{quote(HOSTILE['reference'])}").status_code == 200  # a view, logged
    with clean.test_request_context():
        views = url_for("privacy.family_views_csv")
    downloads = {
        "privacy.family_views_csv": views,
        "claims.lines_csv": f"/claims/{window_id}/lines.csv",
        "claims.summary_csv": f"/claims/{window_id}/summary.csv",
        "imports.rejections_csv": f"/imports/{rejected.id}/rejections.csv",
        "funding.table_csv (windows)": "/funding/windows.csv",
        "funding.table_csv (teams)": "/funding/teams.csv",
        "cases.index_csv": "/families/families.csv",
        "audit.download": "/audit/audit-trail.csv",
    }
    everything = []
    for name, url in downloads.items():
        cells = _cells(client.get(url))
        assert not [c for c in cells if c.startswith(FORMULA_START)], f"{name} has a cell a spreadsheet would run"
        everything += cells
    for value in [*HOSTILE.values(), "\t=1+1"]:
        assert "'" + value in everything, f"{value!r} is not in any download, neutralised"


# --- 6. sessions --------------------------------------------------------------------------------


def _session(client) -> str:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else ""


def _as(app, cookie: str):
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def test_signing_in_starts_a_new_session(client, clean, make):
    """Session fixation: a session made before sign-in (by the person, or planted by someone
    else) is not the signed-in session, and nothing in it carries over."""
    user = make.user("coordinator")
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    before = _session(client)
    assert sign_in(client, user.email).status_code == 302
    assert _session(client) != before
    with client.session_transaction() as session:
        assert "planted" not in session
    replay = _as(clean, before).get("/")
    assert replay.status_code == 302 and replay.headers["Location"].startswith("/login")


def test_after_sign_out_a_copy_of_the_signed_in_cookie_gets_the_sign_in_page(client, clean, make):
    user = make.user("coordinator")
    sign_in(client, user.email)
    signed_in = _session(client)
    assert _as(clean, signed_in).get("/").status_code == 200
    assert post(client, "/logout").status_code == 302
    replay = _as(clean, signed_in).get("/")
    assert replay.status_code == 302 and replay.headers["Location"].startswith("/login")
    # and the person can sign in again
    assert sign_in(client, user.email).status_code == 302
    assert client.get("/").status_code == 200


def test_a_password_change_ends_the_person_s_sessions(client, clean, make):
    person = make.user("finance")
    theirs = clean.test_client()
    sign_in(theirs, person.email)
    assert theirs.get("/").status_code == 200
    sign_in(client, make.user("admin").email)
    response = submit(
        client,
        f"/admin/users/{person.id}",
        {"name": "Fin", "role": "finance", "active": "y", "password": "a-brand-new-passphrase"},
    )
    assert response.status_code == 302
    replay = theirs.get("/")
    assert replay.status_code == 302 and replay.headers["Location"].startswith("/login")


# --- 7. passwords -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "name", "password", "message"),
    [
        ("pat@example.org", "Pat Smith", "short-1", "Password must be at least 12 characters long"),
        ("pat@example.org", "Pat Smith", "Password2015!", "Password is too easy to guess"),
        ("pat@example.org", "Pat Smith", "qwerty123456", "Password is too easy to guess"),
        ("pat@example.org", "Pat Smith", "abababababab", "Password is too easy to guess"),
        ("mary.jones@example.org", "Mary Jones", "mary.jones@example.org", "must not contain your email address"),
        ("cw@example.org", "Christopher Wren", "Christopher1632!", "Password must not contain your name"),
        ("cw@example.org", "Christopher Wren", "christopherwren99", "Password must not contain your name"),
    ],
    ids=["too-short", "common-word", "common-run", "repeated", "the-email", "a-name", "the-whole-name"],
)
def test_a_weak_password_for_a_new_user_is_refused_with_the_reason(client, make, clean, email, name, password, message):
    from tff.auth.operations import find_by_email

    sign_in(client, make.user("admin").email)
    response = submit(
        client, "/admin/users/new", {"email": email, "name": name, "role": "manager", "password": password}
    )
    assert response.status_code == 200
    assert message in error_summary(response)
    with clean.app_context():
        assert find_by_email(email) is None


def test_a_weak_new_password_for_a_user_is_refused_and_the_old_one_still_works(client, make, clean):
    person = make.user("manager", name="Robin Banks")
    sign_in(client, make.user("admin").email)
    response = submit(
        client,
        f"/admin/users/{person.id}",
        {"name": "Robin Banks", "role": "manager", "active": "y", "password": "RobinRobin12"},
    )
    assert response.status_code == 200
    assert "Password must not contain your name" in error_summary(response)
    assert sign_in(clean.test_client(), person.email).status_code == 302


def test_a_long_passphrase_is_accepted(client, make, clean):
    sign_in(client, make.user("admin").email)
    response = submit(
        client,
        "/admin/users/new",
        {"email": "pat@example.org", "name": "Pat Smith", "role": "manager", "password": "kettle-orbit-ninety"},
    )
    assert response.status_code == 302
    assert sign_in(clean.test_client(), "pat@example.org", "kettle-orbit-ninety").status_code == 302
