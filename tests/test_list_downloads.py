"""The lists' CSVs, "Clear filters" and paging both ways: the family list, the audit trail and
the near misses. Each CSV holds what the list's filters find (every page) among the families
the user may see, with formula cells made plain text and numbers left as numbers."""

import csv
import io
import re
from datetime import date

from sqlalchemy import select, update

from tests.helpers import Maker, sign_in
from tests.test_outcomes_cli import _example_one
from tests.test_outcomes_pages import _evaluate
from tff.audit.models import AuditEntry
from tff.audit.operations import record
from tff.cases.models import Family, Member
from tff.cases.search import PAGE_SIZE
from tff.extensions import db
from tff.privacy.models import FamilyView


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def _links(page: str, label: str) -> list[str]:
    """The addresses of the links on the page whose text is `label`."""
    return [
        href.replace("&amp;", "&")
        for href, text in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>\s*(?:<[^>]+>\s*)*([^<]+?)\s*<', page)
        if text == label
    ]


def _pagination(page: str, rel: str) -> str | None:
    found = re.search(rf'<a [^>]*href="([^"]+)"[^>]*rel="{rel}"', page)
    return found.group(1).replace("&amp;", "&") if found else None


# --- the family list ---------------------------------------------------------------------------


def test_the_family_csv_follows_the_filters_and_holds_every_page(client, make, app):
    worker = make.user("lead_worker", name="Lee Worker")
    for n in range(PAGE_SIZE + 5):
        make.family(f"F{n:03d}", lead_worker_id=worker.id, status="attached", attached_on=date(2013, 1, 10))
    make.family("G001", status="identified", postcode="LS1 1AA")
    with app.app_context():
        first = db.session.scalar(select(Family.id).where(Family.reference == "F000"))
        db.session.add_all(
            Member(
                family_id=first,
                person_ref=f"P{n}",
                first_name="Ann",
                last_name="Member",
                date_of_birth=date(2001, 1, 1),
            )
            for n in range(2)
        )
        db.session.commit()
    sign_in(client, make.user("coordinator").email)

    page = client.get("/families/?status=attached").get_data(as_text=True)
    [download] = _links(page, "Download these families as CSV")
    assert download == "/families/families.csv?status=attached"
    rows = _csv(client.get(download))
    assert rows[0] == [
        "Family reference",
        "Programme",
        "Programme title",
        "Status",
        "Status title",
        "Postcode",
        "Lead worker",
        "Identified on",
        "Attached on",
        "Members",
    ]
    assert len(rows) == 1 + PAGE_SIZE + 5  # every page, not only the 50 shown
    assert rows[1] == [
        "F000",
        "phase1",
        "Phase one (2012)",
        "attached",
        "Attached",
        "",
        "Lee Worker",
        "",
        "2013-01-10",
        "2",
    ]
    assert "G001" not in {row[0] for row in rows}

    everything = _csv(client.get("/families/families.csv"))
    assert len(everything) == 1 + PAGE_SIZE + 6
    found = _csv(client.get("/families/families.csv?q=LS1+1AA"))
    assert [row[0] for row in found[1:]] == ["G001"]
    assert found[1][6] == ""  # no lead worker yet


def test_a_lead_workers_csv_holds_only_their_families_and_the_download_is_logged(client, make, app):
    worker = make.user("lead_worker")
    make.family("MINE-1", lead_worker_id=worker.id)
    make.family("MINE-2", lead_worker_id=worker.id)
    make.family("THEIRS", lead_worker_id=make.user("lead_worker").id)
    sign_in(client, worker.email)
    rows = _csv(client.get("/families/families.csv"))
    assert [row[0] for row in rows[1:]] == ["MINE-1", "MINE-2"]
    # Asking for another worker's families finds none of theirs.
    assert len(_csv(client.get(f"/families/families.csv?worker={worker.id + 1}"))) == 1
    with app.app_context():
        logged = db.session.scalars(select(FamilyView).where(FamilyView.endpoint == "cases.index_csv")).all()
        assert len(logged) == 2 and all(v.family_id is None and v.user_id == worker.id for v in logged)


def test_the_family_csv_guards_formula_cells(client, make, app):
    make.family("F001", lead_worker_id=make.user("lead_worker", name='=HYPERLINK("http://x")').id, postcode="-1")
    sign_in(client, make.user("coordinator").email)
    [row] = _csv(client.get("/families/families.csv"))[1:]
    assert row[5] == "'-1"
    assert row[6] == '\'=HYPERLINK("http://x")'
    assert row[9] == "0"


def test_clear_filters_resets_the_family_list(client, make):
    make.family("F001", status="attached", attached_on=date(2013, 1, 10))
    make.family("F002", status="identified")
    sign_in(client, make.user("coordinator").email)
    assert _links(client.get("/families/").get_data(as_text=True), "Clear filters") == []
    narrowed = client.get("/families/?status=identified&sort=postcode").get_data(as_text=True)
    assert "F001" not in narrowed
    [clear] = _links(narrowed, "Clear filters")
    everything = client.get(clear).get_data(as_text=True)
    assert "F001" in everything and "F002" in everything
    assert _links(everything, "Clear filters") == []


def test_the_family_list_pages_both_ways_keeping_the_filters(client, make):
    for n in range(2 * PAGE_SIZE + 1):
        make.family(f"F{n:03d}", status="attached", attached_on=date(2013, 1, 10))
    make.family("Z-IDENTIFIED", status="identified")
    sign_in(client, make.user("coordinator").email)
    first = client.get("/families/?status=attached").get_data(as_text=True)
    assert _pagination(first, "prev") is None
    second = client.get(_pagination(first, "next")).get_data(as_text=True)
    assert "Page 2 of 3" in second and "F050" in second and "F049" not in second
    third = client.get(_pagination(second, "next")).get_data(as_text=True)
    assert "F100" in third and _pagination(third, "next") is None
    back = _pagination(third, "prev")
    assert "status=attached" in back
    again = client.get(back).get_data(as_text=True)
    assert "Page 2 of 3" in again and "F050" in again
    assert "Z-IDENTIFIED" not in again
    # The numbered pages reach the first page directly.
    assert "/families/?status=attached&page=1" in again.replace("&amp;", "&")


# --- the audit trail ---------------------------------------------------------------------------


def _entries(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-entry="(\d+)"', page)]


def test_the_audit_csv_follows_the_filters(client, make, app):
    admin = make.user("admin")
    with app.app_context():
        for n in range(60):
            record("test.entry", "test", n, f"entry {n}", before={"n": n}, after={"n": n + 1})
        record("test.other", "test", "x", "=SUM(A1:A2)")
        db.session.commit()
    sign_in(client, admin.email)
    page = client.get("/audit/?action=test.entry").get_data(as_text=True)
    [download] = _links(page, "Download these entries as CSV")
    rows = _csv(client.get(download))
    assert rows[0] == [
        "When (UTC)",
        "Who",
        "Email",
        "Action",
        "What happened",
        "Kind of record",
        "Record",
        "Before",
        "After",
    ]
    assert len(rows) == 61  # every entry the filters show, not only the 50 on the page
    assert {row[3] for row in rows[1:]} == {"test.entry"}
    assert rows[1][4] == "entry 59" and rows[1][7] == '{"n": 59}' and rows[1][8] == '{"n": 60}'
    assert rows[1][1] == "The system"
    other = _csv(client.get("/audit/audit-trail.csv?action=test.other"))
    assert other[1][4] == "'=SUM(A1:A2)"


def test_the_audit_trail_pages_both_ways_and_clears_its_filters(client, make, app):
    with app.app_context():
        for n in range(120):
            record("test.entry", "test", n, f"entry {n}")
        record("test.other", "test", "x", "something else")
        db.session.commit()
        ids = db.session.scalars(
            select(AuditEntry.id).where(AuditEntry.action == "test.entry").order_by(AuditEntry.id.desc())
        ).all()
    sign_in(client, make.user("auditor").email)
    first = client.get("/audit/?action=test.entry").get_data(as_text=True)
    assert _entries(first) == ids[:50]
    assert "Newer entries" not in first and "Older entries" in first
    second = client.get(_pagination(first, "next")).get_data(as_text=True)
    assert _entries(second) == ids[50:100]
    third = client.get(_pagination(second, "next")).get_data(as_text=True)
    assert _entries(third) == ids[100:]
    assert "Older entries" not in third
    back = client.get(_pagination(third, "prev")).get_data(as_text=True)
    assert _entries(back) == ids[50:100]
    top = client.get(_pagination(back, "prev")).get_data(as_text=True)
    assert _entries(top) == ids[:50] and "Newer entries" not in top

    # A date filter is three boxes of one name: paging keeps all three.
    dated = client.get(
        "/audit/?action=test.entry&date_from=1&date_from=1&date_from=2000&date_to=31&date_to=12&date_to=2099"
    ).get_data(as_text=True)
    older = _pagination(dated, "next")
    assert older.count("date_from=") == 3 and older.count("date_to=") == 3

    [clear] = _links(first, "Clear filters")
    assert clear == "/audit/"
    assert "something else" in client.get(clear).get_data(as_text=True)
    assert _links(client.get("/audit/").get_data(as_text=True), "Clear filters") == []


def test_the_audit_csv_is_for_those_who_read_the_trail(client, make):
    sign_in(client, make.user("coordinator").email)
    assert client.get("/audit/audit-trail.csv").status_code == 403


# --- the near misses ---------------------------------------------------------------------------


def test_the_near_misses_name_the_lead_worker_and_download_as_csv(clean):
    for reference in ("F001", "F002", "F003"):
        _example_one(clean, reference)
    maker = Maker(clean)
    worker = maker.user("lead_worker", name="Robin Lead")
    with clean.app_context():
        db.session.execute(update(Family).where(Family.reference == "F002").values(lead_worker_id=worker.id))
        db.session.commit()
    evaluation_id = _evaluate(clean, date(2013, 3, 31))
    client = clean.test_client()
    sign_in(client, maker.user("coordinator").email)
    page = client.get(f"/outcomes/{evaluation_id}/near-misses").get_data(as_text=True)
    assert ">Lead worker<" in page
    row = re.search(r'<tr class="govuk-table__row" data-family="F002">(.*?)</tr>', page, re.S).group(1)
    assert "Robin Lead" in row
    unled = re.search(r'<tr class="govuk-table__row" data-family="F001">(.*?)</tr>', page, re.S).group(1)
    assert "None yet" in unled

    [download] = _links(page, "Download the near misses as CSV")
    rows = _csv(client.get(download))
    assert rows[0] == [
        "Family reference",
        "Lead worker",
        "Result",
        "Result title",
        "At stake (£)",
        "Days away",
        "Still missing",
    ]
    assert len(rows) == 1 + page.count('data-family="')
    by_family = {row[0]: row for row in rows[1:]}
    assert set(by_family) == {"F001", "F002", "F003"}
    assert by_family["F002"][1] == "Robin Lead" and by_family["F001"][1] == ""
    assert by_family["F002"][4] == "700"
    assert "one more term under 15% unauthorised absence for Casey Child" in by_family["F002"][6]

    # Those who may not read the near misses may not download them.
    finance = clean.test_client()
    sign_in(finance, maker.user("finance").email)
    assert finance.get(download).status_code == 403
    assert client.get("/outcomes/999999/near-misses.csv").status_code == 404
