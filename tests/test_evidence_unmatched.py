"""The unmatched evidence queue: held rows listed, attached to a member (the evidence then
stored as an import stores it, audited) or dismissed with a reason (audited, and out of the
evidence); only for coordinators and administrators, only to members they can see."""

import html
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from tests.helpers import sign_in, submit
from tests.imports_support import attendance_csv, cohort, events_csv, run_import, spells_csv
from tff.audit.models import AuditEntry
from tff.auth.models import User
from tff.cases.models import Member
from tff.evidence.models import Event, UnmatchedRow
from tff.evidence.operations import CannotResolve, attach, dismiss
from tff.extensions import db
from tff.imports.models import ImportRun


@pytest.fixture
def held(clean):
    """Three held rows: a typo in Zoe Brown's name, a person nobody knows, an ambiguous Amy Smith."""
    cohort(clean)
    data = events_csv(
        {
            "first_name": "Zoe",
            "last_name": "Browne",
            "date_of_birth": "2007-03-04",
            "kind": "asb",
            "date": "2013-04-01",
        },
        {"person_ref": "X-1", "kind": "offence", "date": "2013-04-02", "reference": "P9", "source": "police"},
        {"first_name": "Amy", "last_name": "Smith", "date_of_birth": "1980-05-01", "kind": "asb", "date": "2013-04-03"},
    )
    result = run_import(clean, "events", data, filename="police.csv")
    assert result.unmatched == 3
    with clean.app_context():
        return [u.id for u in db.session.scalars(select(UnmatchedRow).order_by(UnmatchedRow.line))]


def _events(app):
    with app.app_context():
        query = select(Member.person_ref, Event.kind, Event.reference).join(Member, Event.member_id == Member.id)
        return sorted(db.session.execute(query).all())


def _state(app, row_id):
    with app.app_context():
        row = db.session.get(UnmatchedRow, row_id)
        return row.state, row.member.person_ref if row.member else None, row.dismissal_reason


def test_the_queue_lists_open_rows_and_a_suggestion_attaches_one(client, make, clean, held):
    coordinator = make.user("coordinator")
    sign_in(client, coordinator.email)
    page = client.get("/evidence/unmatched").get_data(as_text=True)
    assert "Unmatched evidence" in page and 'href="/evidence/unmatched"' in page  # in the navigation
    assert 'data-open="3"' in page
    assert "police.csv" in page and "person_ref X-1" in page
    assert "fits more than one person" in page and "matches nobody" in page

    typo = held[0]
    row_page = client.get(f"/evidence/unmatched/{typo}").get_data(as_text=True)
    assert 'data-suggestion="F001-03"' in row_page
    response = submit(
        client, f"/evidence/unmatched/{typo}/attach", {"person_ref": "F001-03"}, form_url=f"/evidence/unmatched/{typo}"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert _events(clean) == [("F001-03", "asb", None)]  # it counts now: it is in the evidence
    assert _state(clean, typo) == ("attached", "F001-03", None)
    with clean.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "evidence.unmatched_attach"))
        assert entry.user_id == coordinator.id and entry.after == {"state": "attached", "person_ref": "F001-03"}
    assert 'data-open="2"' in client.get("/evidence/unmatched").get_data(as_text=True)

    # A row resolved already cannot be resolved again.
    again = submit(
        client,
        f"/evidence/unmatched/{typo}/attach",
        {"person_ref": "F001-01"},
        form_url=f"/evidence/unmatched/{held[1]}",
    )
    assert again.status_code == 400 and "attached already" in again.get_data(as_text=True)
    assert _events(clean) == [("F001-03", "asb", None)]


def test_attaching_by_reference_stores_as_an_import_would(client, make, clean, held):
    sign_in(client, make.user("admin").email)
    url = f"/evidence/unmatched/{held[1]}"
    unknown = submit(client, f"{url}/attach", {"person_ref": "NOBODY"}, form_url=url)
    assert unknown.status_code == 400
    assert "no member with the reference “NOBODY”" in unknown.get_data(as_text=True)
    assert submit(client, f"{url}/attach", {"person_ref": " F001-01 "}, form_url=url).status_code == 302
    assert _events(clean) == [("F001-01", "offence", "P9")]
    # The same event (police P9) held again from another file, attached: a repeat, not a duplicate.
    run_import(
        clean,
        "events",
        events_csv(
            {"person_ref": "X-2", "kind": "offence", "date": "2013-04-02", "reference": "P9", "source": "police"}
        ),
    )
    with clean.app_context():
        second = db.session.scalar(
            select(UnmatchedRow.id).where(
                UnmatchedRow.state == "open", UnmatchedRow.line == 2, UnmatchedRow.id > held[2]
            )
        )
    url = f"/evidence/unmatched/{second}"
    assert submit(client, f"{url}/attach", {"person_ref": "F001-01"}, form_url=url).status_code == 302
    assert _events(clean) == [("F001-01", "offence", "P9")]


def test_a_dismissed_row_stays_out_of_the_evidence(client, make, clean, held):
    coordinator = make.user("coordinator")
    sign_in(client, coordinator.email)
    url = f"/evidence/unmatched/{held[2]}"
    assert 'data-suggestion="F002-01"' in client.get(url).get_data(as_text=True)
    empty = submit(client, f"{url}/dismiss", {"reason": "  "}, form_url=url)
    assert empty.status_code == 400
    response = submit(client, f"{url}/dismiss", {"reason": "Not one of our families"}, form_url=url)
    assert response.status_code == 302
    assert _state(clean, held[2]) == ("dismissed", None, "Not one of our families")
    assert _events(clean) == []
    with clean.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "evidence.unmatched_dismiss"))
        assert entry.user_id == coordinator.id and entry.after["dismissal_reason"] == "Not one of our families"
    assert f'data-row="{held[2]}"' not in client.get("/evidence/unmatched").get_data(as_text=True)
    # The same row in a later file: still unmatched, and the decision stands (not held again).
    amy = {
        "first_name": "Amy",
        "last_name": "Smith",
        "date_of_birth": "1980-05-01",
        "kind": "asb",
        "date": "2013-04-03",
    }
    assert run_import(clean, "events", events_csv(amy)).unmatched == 1
    assert 'data-open="2"' in client.get("/evidence/unmatched").get_data(as_text=True)
    assert _events(clean) == []


def test_only_coordinators_and_admins_see_the_queue(client, make, held):
    for role in ("lead_worker", "manager", "finance", "auditor"):
        sign_in(client, make.user(role).email)
        assert client.get("/evidence/unmatched").status_code == 403
        assert client.get(f"/evidence/unmatched/{held[0]}").status_code == 403
        submit(client, "/logout", {}, form_url="/")
    assert client.get("/evidence/unmatched").status_code in (302, 401)


def test_a_member_of_a_family_the_user_cannot_see_is_not_attached(make, clean, held):
    worker = make.user("lead_worker")
    with clean.app_context():
        row = db.session.get(UnmatchedRow, held[0])
        with pytest.raises(CannotResolve, match="in a family you can see"):
            attach(row, "F001-03", db.session.get(User, worker.id))
    assert _events(clean) == []


def test_held_spells_and_attendance_rows_attach_like_their_imports(make, clean):
    from tff.evidence.models import AttendanceRecord, Spell

    cohort(clean)
    spell = {"person_ref": "X-1", "kind": "benefit", "detail": "jsa", "start_date": "2012-01-01"}
    pupil = {
        "upn": "B123456789012",
        "academic_year": "2012/13",
        "term": "autumn",
        "possible_sessions": "140",
        "unauthorised_absence_sessions": "7",
    }
    assert run_import(clean, "spells", spells_csv(spell)).unmatched == 1
    assert run_import(clean, "attendance", attendance_csv(pupil)).unmatched == 1
    coordinator = make.user("coordinator")
    with clean.app_context():
        user = db.session.get(User, coordinator.id)
        rows = db.session.scalars(select(UnmatchedRow).order_by(UnmatchedRow.id)).all()
        assert [r.kind for r in rows] == ["spells", "attendance"]
        attach(rows[0], "F001-01", user)
        attach(rows[1], "F001-02", user)
        spell_row = db.session.scalar(select(Spell))
        assert (spell_row.detail, spell_row.end_date, spell_row.member.person_ref) == ("JSA", None, "F001-01")
        record = db.session.scalar(select(AttendanceRecord))
        assert (record.possible, record.unauthorised, record.member.person_ref) == (140, 7, "F001-02")
        assert {r.state for r in db.session.scalars(select(UnmatchedRow))} == {"attached"}


# --- the queue's filters, its paging, and the link from an import's page ------------------------


def _run_of(app, row_id: int) -> int:
    with app.app_context():
        return db.session.get(UnmatchedRow, row_id).run_id


def _rows_listed(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr class="govuk-table__row" data-row="(\d+)"', page)]


def _link(page: str, rel: str) -> str | None:
    match = re.search(rf'href="([^"]+)" rel="{rel}"', page)
    return html.unescape(match.group(1)) if match else None


@pytest.fixture
def more_held(clean, held):
    """Besides the three events rows of police.csv (`held`): a spells row, an attendance row,
    and two events rows from a later file. Names each import and the rows it held, oldest first."""
    spell = {"person_ref": "X-1", "kind": "benefit", "detail": "jsa", "start_date": "2012-01-01"}
    pupil = {
        "upn": "B123456789012",
        "academic_year": "2012/13",
        "term": "autumn",
        "possible_sessions": "140",
        "unauthorised_absence_sessions": "7",
    }
    later = [
        {"person_ref": f"X-{n}", "kind": "offence", "date": "2013-05-01", "reference": f"Q{n}", "source": "police"}
        for n in (7, 8)
    ]
    runs = {
        "police": _run_of(clean, held[0]),
        "spells": run_import(clean, "spells", spells_csv(spell), filename="benefits.csv").id,
        "attendance": run_import(clean, "attendance", attendance_csv(pupil), filename="census.csv").id,
        "later": run_import(clean, "events", events_csv(*later), filename="police-may.csv").id,
    }
    with clean.app_context():
        rows = {
            name: list(db.session.scalars(select(UnmatchedRow.id).where(UnmatchedRow.run_id == run_id).order_by("id")))
            for name, run_id in runs.items()
        }
    assert [len(rows[name]) for name in runs] == [3, 1, 1, 2]
    return SimpleNamespace(runs=runs, rows=rows)


def _resolve(app, coordinator_id: int, attach_id: int, dismiss_id: int) -> None:
    with app.app_context():
        user = db.session.get(User, coordinator_id)
        attach(db.session.get(UnmatchedRow, attach_id), "F001-03", user)
        dismiss(db.session.get(UnmatchedRow, dismiss_id), "Not one of ours", user)


def test_an_imports_page_counts_its_held_rows_and_links_to_them_in_the_queue(client, make, clean, more_held):
    coordinator = make.user("coordinator")
    police = more_held.runs["police"]
    typo, stranger, amy = more_held.rows["police"]
    _resolve(clean, coordinator.id, typo, amy)
    sign_in(client, coordinator.email)

    page = client.get(f"/imports/{police}").get_data(as_text=True)
    assert 'data-held-total="3"' in page
    held = dict(re.findall(r'data-held="(\w+)">(?:<a [^>]*>)?(\d+)', page))
    assert held == {"open": "1", "attached": "1", "dismissed": "1"}
    link = f'href="/evidence/unmatched?run={police}&amp;state=any" data-unmatched-link>'
    assert link + "See the 3 unmatched rows of this import</a>" in page
    assert f'href="/evidence/unmatched?run={police}&amp;state=open"' in page

    queue = client.get(f"/evidence/unmatched?run={police}&state=any").get_data(as_text=True)
    assert _rows_listed(queue) == [typo, stranger, amy]  # this import's rows only, in every state
    assert 'data-total="3"' in queue
    assert set(re.findall(r'data-run="(\d+)"', queue)) == {str(police)}
    assert "Import " + str(police) + ": police.csv" in queue  # the filter, shown
    assert f'href="/imports/{police}"' in queue  # each row links to its import
    assert "data-clear-filters" in queue

    open_only = client.get(f"/evidence/unmatched?run={police}").get_data(as_text=True)
    assert _rows_listed(open_only) == [stranger] and 'data-open="1"' in open_only

    one = client.get(f"/imports/{more_held.runs['spells']}").get_data(as_text=True)
    assert "See the unmatched row of this import</a>" in one and 'data-held-total="1"' in one
    # An import that held nothing (the members of the cohort) says nothing of unmatched rows.
    with clean.app_context():
        members = db.session.scalar(select(ImportRun.id).where(ImportRun.kind == "members"))
    assert "data-unmatched-link" not in client.get(f"/imports/{members}").get_data(as_text=True)


def test_an_import_whose_rows_were_held_already_says_so(client, make, clean, held):
    sign_in(client, make.user("admin").email)
    amy = {
        "first_name": "Amy",
        "last_name": "Smith",
        "date_of_birth": "1980-05-01",
        "kind": "asb",
        "date": "2013-04-03",
    }
    again = run_import(clean, "events", events_csv(amy), filename="again.csv")
    assert again.unmatched == 1
    page = client.get(f"/imports/{again.id}").get_data(as_text=True)
    assert 'data-held-total="0"' in page
    assert "1 row that matched no member, or more than one, was held already from an earlier import" in page
    assert "data-unmatched-link" not in page


def test_the_kind_and_state_filters_each_narrow_the_queue(client, make, clean, more_held):
    coordinator = make.user("coordinator")
    typo, stranger, amy = more_held.rows["police"]
    _resolve(clean, coordinator.id, typo, amy)
    sign_in(client, coordinator.email)
    everything_open = [stranger, *more_held.rows["spells"], *more_held.rows["attendance"], *more_held.rows["later"]]

    page = client.get("/evidence/unmatched").get_data(as_text=True)
    assert _rows_listed(page) == everything_open and 'data-open="5"' in page
    assert "data-active-filters" not in page  # open rows of every import: the default
    assert re.search(r'<option value="open" selected', page)

    events = client.get("/evidence/unmatched?kind=events").get_data(as_text=True)
    assert _rows_listed(events) == [stranger, *more_held.rows["later"]]
    assert re.search(r'<option value="events" selected', events) and "data-active-filters" in events
    spells = client.get("/evidence/unmatched?kind=spells").get_data(as_text=True)
    assert _rows_listed(spells) == more_held.rows["spells"] and 'data-total="1"' in spells

    dismissed = client.get("/evidence/unmatched?state=dismissed").get_data(as_text=True)
    assert _rows_listed(dismissed) == [amy] and "<strong>1</strong> dismissed row." in dismissed
    attached = client.get("/evidence/unmatched?state=attached").get_data(as_text=True)
    assert _rows_listed(attached) == [typo]
    assert f'href="/evidence/unmatched/{typo}?state=attached"' in attached  # "See", not "Resolve"
    every = client.get("/evidence/unmatched?state=any&kind=events").get_data(as_text=True)
    assert _rows_listed(every) == [typo, stranger, amy, *more_held.rows["later"]]
    assert (
        client.get("/evidence/unmatched?state=dismissed&kind=spells")
        .get_data(as_text=True)
        .count("No unmatched rows match these filters")
    )

    # Removing one filter keeps the others; clearing them goes back to the open rows of every import.
    assert 'href="/evidence/unmatched?state=any">Remove' in every
    assert 'href="/evidence/unmatched" data-clear-filters' in every


def test_resolving_a_row_from_a_filtered_queue_goes_back_to_it(client, make, clean, more_held):
    sign_in(client, make.user("coordinator").email)
    police = more_held.runs["police"]
    stranger = more_held.rows["police"][1]
    queue = client.get(f"/evidence/unmatched?run={police}").get_data(as_text=True)
    url = f"/evidence/unmatched/{stranger}?run={police}"
    assert f'href="{url}"' in queue
    row_page = client.get(url).get_data(as_text=True)
    assert f'href="/evidence/unmatched?run={police}"' in row_page  # the back link
    response = submit(
        client, f"/evidence/unmatched/{stranger}/dismiss?run={police}", {"reason": "Not ours"}, form_url=url
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/evidence/unmatched?run={police}"


def test_paging_keeps_the_filters(client, make, clean, more_held, monkeypatch):
    monkeypatch.setattr("tff.evidence.views.PER_PAGE", 2)
    sign_in(client, make.user("admin").email)
    events = [*more_held.rows["police"], *more_held.rows["later"]]  # the spells and attendance rows between

    first = client.get("/evidence/unmatched?kind=events").get_data(as_text=True)
    assert _rows_listed(first) == events[:2] and 'data-total="5"' in first
    assert _link(first, "prev") is None
    second_url = _link(first, "next")
    assert second_url == f"/evidence/unmatched?after={events[1]}&kind=events"
    second = client.get(second_url).get_data(as_text=True)
    assert _rows_listed(second) == events[2:4]
    third = client.get(_link(second, "next")).get_data(as_text=True)
    assert _rows_listed(third) == events[4:] and _link(third, "next") is None
    back = _link(third, "prev")
    assert back == f"/evidence/unmatched?before={events[4]}&kind=events"
    assert _rows_listed(client.get(back).get_data(as_text=True)) == events[2:4]

    # With a run and a state too; and a page the rows have gone from shows the first page.
    later = more_held.runs["later"]
    page = client.get(f"/evidence/unmatched?run={later}&state=any&after={events[3]}").get_data(as_text=True)
    assert _rows_listed(page) == events[4:]
    assert _link(page, "prev") == f"/evidence/unmatched?before={events[4]}&run={later}&state=any"
    gone = client.get(f"/evidence/unmatched?run={later}&after={events[4]}").get_data(as_text=True)
    assert _rows_listed(gone) == events[3:]
    for nonsense in ("after=x", "before=99999999999999999999", "after=-5"):
        response = client.get(f"/evidence/unmatched?kind=events&{nonsense}")
        assert response.status_code == 200 and _rows_listed(response.get_data(as_text=True)) == events[:2]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("run=99999", "There is no import 99999"),
        ("run=twelve", "“twelve” is not an import number"),
        ("run=-1", "“-1” is not an import number"),
        ("run=%C2%B2", "“²” is not an import number"),
        ("kind=claims", "“claims” is not a kind of evidence held here"),
        ("kind=families", "“families” is not a kind of evidence held here"),
        ("state=closed&kind=events", "“closed” is not a state"),
    ],
)
def test_an_unknown_filter_in_the_address_is_said_on_the_page(client, make, held, query, message):
    sign_in(client, make.user("coordinator").email)
    response = client.get(f"/evidence/unmatched?{query}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and message in page
    assert _rows_listed(page) == []
    assert 'href="/evidence/unmatched" data-clear-filters' in page


def test_only_coordinators_and_admins_see_the_filtered_queue_and_the_link(client, make, clean, held):
    police = _run_of(clean, held[0])
    urls = [
        f"/evidence/unmatched?run={police}&state=any",
        "/evidence/unmatched?kind=events&after=1",
        f"/imports/{police}",
    ]
    for role in ("lead_worker", "manager", "finance", "auditor"):
        sign_in(client, make.user(role).email)
        for url in urls:
            assert client.get(url).status_code == 403, (role, url)
        submit(client, "/logout", {}, form_url="/")
    assert client.get(urls[0]).status_code in (302, 401)
    for role in ("coordinator", "admin"):
        sign_in(client, make.user(role).email)
        assert "See the 3 unmatched rows" in client.get(urls[2]).get_data(as_text=True)
        assert _rows_listed(client.get(urls[0]).get_data(as_text=True)) == held
        submit(client, "/logout", {}, form_url="/")
