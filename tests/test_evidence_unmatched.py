"""The unmatched evidence queue: held rows listed, attached to a member (the evidence then
stored as an import stores it, audited) or dismissed with a reason (audited, and out of the
evidence); only for coordinators and administrators, only to members they can see."""

import pytest
from sqlalchemy import select

from tests.helpers import sign_in, submit
from tests.imports_support import cohort, events_csv, run_import
from tff.audit.models import AuditEntry
from tff.auth.models import User
from tff.cases.models import Member
from tff.evidence.models import Event, UnmatchedRow
from tff.evidence.operations import CannotResolve, attach
from tff.extensions import db


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
    from tests.imports_support import attendance_csv, spells_csv
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
