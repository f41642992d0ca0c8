"""References (a family's, a member's person_ref, a claim window's name) are checked against one
safe alphabet wherever they arrive; odd ones stored before the check are still reachable from
every page; and a message about a value held already never names a family the user cannot see."""

import re
from datetime import date
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from flask import url_for
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.helpers import sign_in, submit
from tests.imports_support import families_csv, family, member, members_csv, run_import
from tff.cases.models import Family, Member
from tff.cases.validation import REFERENCE_RULE
from tff.claims.models import ClaimWindow
from tff.extensions import db

#: references a council's extract or a typing slip could give, none of them safe in an address
ODD = ["WEB/SLASH", "A.B", "..", ".", "F 001", "F001/../F002", "-F1", "F\x01", "é1", "x" * 41]
#: references as councils write them
SAFE = ["F000003-01", "2013-07", "f_12", "F" + "0" * 39]
HREF = re.compile(r'href="([^"]+)"')


def _date(prefix: str, day: date) -> dict:
    return {prefix: [str(day.day), str(day.month), str(day.year)]}


def _families(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(Family.reference)))


def _member(app, family_ref: str, person_ref: str, **values) -> None:
    with app.app_context():
        family_id = db.session.scalar(select(Family.id).where(Family.reference == family_ref))
        db.session.add(
            Member(
                family_id=family_id,
                person_ref=person_ref,
                first_name=values.pop("first_name", "Amy"),
                last_name=values.pop("last_name", "Smith"),
                date_of_birth=values.pop("date_of_birth", date(1980, 5, 1)),
                **values,
            )
        )
        db.session.commit()


def _browser_path(url: str) -> str:
    """The path a browser requests for a link: dot segments resolved (percent-encoded ones
    too, as the WHATWG URL standard has it)."""
    path = urlsplit(url).path
    segments = [unquote(s) if unquote(s) in (".", "..") else s for s in path.split("/")]
    return urlsplit(urljoin("http://tff.example/", "/".join(segments))).path


# --- reachable: odd references stored before the check --------------------------------------


@pytest.mark.parametrize("reference", ["WEB/SLASH", "A.B", ".."])
def test_a_family_with_an_odd_stored_reference_opens_attaches_and_closes(client, make, clean, reference):
    make.family(reference, status="identified", identified_on=date(2013, 1, 10))
    make.family("OTHER", status="identified", identified_on=date(2013, 1, 10))
    sign_in(client, make.user("coordinator").email)
    # Found by a search, and followed from the list as a browser follows a link.
    listing = client.get("/families/?q=" + reference).get_data(as_text=True)
    with clean.test_request_context():
        page_url = url_for("cases.show", reference=reference)
        attach_url = url_for("cases.attach", reference=reference)
        close_url = url_for("cases.close", reference=reference)
    assert f'href="{page_url}"' in listing
    for url in (page_url, attach_url, close_url):
        assert _browser_path(url) == url, f"a browser would request {_browser_path(url)} for {url}"
    page = client.get(_browser_path(page_url))
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert re.search(rf"<h1[^>]*>\s*Family {re.escape(reference)}\s*<", body)
    assert attach_url in HREF.findall(body)

    response = submit(
        client,
        _browser_path(attach_url),
        {**_date("attached_on", date(2013, 2, 1)), "override_reason": "Agreed at the panel"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert urlsplit(response.headers["Location"]).path == page_url
    response = submit(
        client, _browser_path(close_url), {**_date("closed_on", date(2014, 3, 1)), "reason": "outcomes_achieved"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    # closing waits for a manager's sign-off (tests/test_sign_off.py); approved from the family's page
    from tests.case_work import sign_in_as

    sign_in_as(client, make.user("manager"))
    approve_url = re.search(r'href="([^"]+/approve)"', client.get(_browser_path(page_url)).get_data(as_text=True))[1]
    assert submit(client, _browser_path(approve_url), {}).status_code == 302
    with clean.app_context():
        closed = db.session.scalar(select(Family).where(Family.reference == reference))
        other = db.session.scalar(select(Family).where(Family.reference == "OTHER"))
        assert (closed.status, closed.attached_on, closed.closed_on) == ("closed", date(2013, 2, 1), date(2014, 3, 1))
        assert other.status == "identified"  # `..` reached no other family


def test_a_member_with_an_odd_stored_person_ref_can_be_opened_and_changed(client, make, clean):
    make.family("WEB/SLASH", status="identified", identified_on=date(2013, 1, 10))
    _member(clean, "WEB/SLASH", "WEB/SLASH/01")
    sign_in(client, make.user("coordinator").email)
    with clean.test_request_context():
        url = url_for("cases.member", reference="WEB/SLASH", person_ref="WEB/SLASH/01")
    assert _browser_path(url) == url
    assert url in HREF.findall(client.get(url_for_path(clean, "WEB/SLASH")).get_data(as_text=True))
    data = {
        "person_ref": "WEB/SLASH/01",  # kept as it is: a stored reference is not refused
        "first_name": "Amelia",
        "last_name": "Smith",
        **_date("date_of_birth", date(1980, 5, 1)),
    }
    response = submit(client, url, data)
    assert response.status_code == 302, response.get_data(as_text=True)
    with clean.app_context():
        assert db.session.scalar(select(Member.first_name).where(Member.person_ref == "WEB/SLASH/01")) == "Amelia"


def url_for_path(app, reference: str) -> str:
    with app.test_request_context():
        return url_for("cases.show", reference=reference)


@settings(max_examples=200, deadline=None)
@given(value=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=60))
def test_any_value_in_an_address_comes_back_as_itself(app, value):
    with app.test_request_context():
        url = url_for("cases.member", reference=value, person_ref=value)
    assert _browser_path(url) == url
    adapter = app.url_map.bind("tff.example")
    endpoint, values = adapter.match(unquote(url))
    assert (endpoint, values) == ("cases.member", {"reference": value, "person_ref": value})


@pytest.mark.parametrize("path", ["/families/~", "/families/~!!", "/families/~AA", "/families/~RjAwMQ"])
def test_an_address_that_encodes_nothing_or_a_plain_reference_is_not_found(client, make, path):
    make.family("F001")  # ~RjAwMQ is F001 encoded: a plain reference is only ever written plain
    sign_in(client, make.user("coordinator").email)
    assert client.get(path).status_code == 404


# --- checked: every entry point refuses an odd reference --------------------------------------


@pytest.mark.parametrize("reference", ODD)
def test_the_new_family_form_refuses_an_odd_reference(client, make, clean, reference):
    sign_in(client, make.user("coordinator").email)
    data = {"reference": reference, "programme": "phase1", **_date("identified_on", date(2013, 5, 1))}
    response = submit(client, "/families/new", data, form_url="/families/new")
    assert response.status_code == 200
    page = response.get_data(as_text=True).replace("&#34;", '"').replace("&#39;", "'")
    if len(reference) > 40:
        assert "Family reference must be 40 characters or fewer" in page
    else:
        assert "The family reference" in page and REFERENCE_RULE in page
    assert _families(clean) == set()


@pytest.mark.parametrize("reference", SAFE)
def test_the_new_family_form_takes_a_reference_as_councils_write_them(client, make, clean, reference):
    sign_in(client, make.user("coordinator").email)
    data = {"reference": reference, "programme": "phase1", **_date("identified_on", date(2013, 5, 1))}
    assert submit(client, "/families/new", data).status_code == 302
    assert _families(clean) == {reference}


def test_the_member_form_refuses_an_odd_person_ref(client, make, clean):
    make.family("F001")
    sign_in(client, make.user("coordinator").email)
    data = {"first_name": "Amy", "last_name": "Smith", **_date("date_of_birth", date(1980, 5, 1))}
    for person_ref in ("F001/01", "..", "F001.01"):
        page = submit(client, "/families/F001/members/new", {**data, "person_ref": person_ref}).get_data(as_text=True)
        assert "The person reference" in page and REFERENCE_RULE in page
    assert submit(client, "/families/F001/members/new", {**data, "person_ref": "F001-01"}).status_code == 302
    with clean.app_context():
        assert list(db.session.scalars(select(Member.person_ref))) == ["F001-01"]


def test_a_families_file_rejects_a_new_odd_reference_and_updates_a_stored_one(clean, make):
    make.family("OLD/1", identified_on=date(2013, 1, 10))
    data = families_csv(
        family("WEB/SLASH"), family(".."), family("A.B"), family("F001"), family("OLD/1", postcode="S60 1AA")
    )
    result = run_import(clean, "families", data)
    assert (result.accepted, result.rejected) == (2, 3)
    assert result.rejections == {
        2: [f'family_ref "WEB/SLASH" has characters a reference cannot have; it must be {REFERENCE_RULE}'],
        3: [f'family_ref ".." has characters a reference cannot have; it must be {REFERENCE_RULE}'],
        4: [f'family_ref "A.B" has characters a reference cannot have; it must be {REFERENCE_RULE}'],
    }
    assert _families(clean) == {"OLD/1", "F001"}
    with clean.app_context():
        assert db.session.scalar(select(Family.postcode).where(Family.reference == "OLD/1")) == "S60 1AA"


def test_a_members_file_rejects_a_new_odd_person_ref(clean, make):
    make.family("F001")
    result = run_import(clean, "members", members_csv(member("F001-01"), member("F001/02"), member("F001.03")))
    assert (result.accepted, result.rejected) == (1, 2)
    assert result.rejections == {
        3: [f'person_ref "F001/02" has characters a reference cannot have; it must be {REFERENCE_RULE}'],
        4: [f'person_ref "F001.03" has characters a reference cannot have; it must be {REFERENCE_RULE}'],
    }


def test_the_claim_window_form_and_command_refuse_an_odd_name(client, make, clean):
    sign_in(client, make.user("finance").email)
    data = {"name": "2013/07", **_date("as_of", date(2013, 7, 31)), "sample_percent": "0"}
    page = submit(client, "/claims/new", data).get_data(as_text=True).replace("&#39;", "'").replace("&#34;", '"')
    assert "The window's name" in page and REFERENCE_RULE in page
    runner = clean.test_cli_runner()
    for name in ("2013/07", "..", "2013.07"):
        result = runner.invoke(args=["claims", "window-create", name, "--as-of", "2013-07-31"])
        assert result.exit_code == 2, result.output
        assert "The window's name" in result.stderr and REFERENCE_RULE in result.stderr
    assert runner.invoke(args=["claims", "window-create", "2013-07", "--as-of", "2013-07-31"]).exit_code == 0
    with clean.app_context():
        assert list(db.session.scalars(select(ClaimWindow.name))) == ["2013-07"]
        assert db.session.scalar(select(func.count()).select_from(ClaimWindow)) == 1


# --- uniqueness messages never name a family the user cannot see ----------------------------


@pytest.fixture
def held(make, clean):
    """A family a lead worker leads, and another family whose member holds a UPN and a NINO."""
    worker = make.user("lead_worker")
    make.family("F000001", lead_worker_id=worker.id)
    make.family("F000003")
    _member(clean, "F000003", "F000003-01", nino="QQ123456C", upn="A123456789012")
    return worker


CHILD = {"first_name": "Kai", "last_name": "Smith", **_date("date_of_birth", date(2005, 3, 4))}


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("nino", "QQ123456C", "This National Insurance number is already held for another member"),
        ("upn", "A123456789012", "This UPN is already held for another member"),
        ("person_ref", "F000003-01", "This person reference is already held for another member"),
    ],
)
def test_a_lead_worker_is_not_told_which_hidden_family_holds_a_value(client, held, field, value, said):
    sign_in(client, held.email)
    assert client.get("/families/F000003").status_code == 404
    data = {"person_ref": "F000001-01", **CHILD, field: value}
    page = submit(client, "/families/F000001/members/new", data).get_data(as_text=True)
    assert f"{said}; a coordinator can find it" in page
    # Nothing names the family holding it (but the form keeps what the worker typed).
    assert "F000003" not in page.replace(f'value="{value}"', "")


def test_a_coordinator_and_a_lead_worker_of_the_holders_family_are_told_who_holds_it(client, make, clean, held):
    sign_in(client, make.user("coordinator").email)
    data = {"person_ref": "F000001-01", **CHILD, "nino": "QQ123456C"}
    page = submit(client, "/families/F000001/members/new", data).get_data(as_text=True)
    assert "The National Insurance number QQ123456C belongs to F000003-01 already" in page
    # The lead worker's own family holds the value: they may be told who holds it.
    worker = clean.test_client()
    sign_in(worker, held.email)
    assert submit(worker, "/families/F000001/members/new", {**data, "nino": "QQ654321A"}).status_code == 302
    other = {"person_ref": "F000001-02", **CHILD, "nino": "QQ654321A"}
    page = submit(worker, "/families/F000001/members/new", other).get_data(as_text=True)
    assert "The National Insurance number QQ654321A belongs to F000001-01 already" in page
