"""The audit trail: written with the change, in the same transaction, and readable by filter."""

import pytest
from sqlalchemy import select

from tests.helpers import sign_in, submit
from tff.audit.models import AuditEntry
from tff.audit.operations import record
from tff.auth.models import User
from tff.extensions import db


def _entries(app, action=None):
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        return [
            {"action": e.action, "user_id": e.user_id, "object_id": e.object_id, "before": e.before, "after": e.after}
            for e in db.session.scalars(query)
        ]


def test_adding_a_user_writes_who_and_what(client, make, app):
    admin = make.user("admin")
    sign_in(client, admin.email)
    submit(
        client,
        "/admin/users/new",
        {
            "email": "Lead@Example.org",
            "name": "Lee Worker",
            "role": "lead_worker",
            "password": "a-long-enough-password",
        },
    )
    [entry] = _entries(app, "user.create")[-1:]
    assert entry["user_id"] == admin.id
    assert entry["after"] == {
        "email": "lead@example.org",
        "name": "Lee Worker",
        "role": "lead_worker",
        "active": True,
        "team_id": None,
        "max_caseload": None,
    }
    assert entry["before"] is None


def test_a_change_records_only_what_changed_before_and_after(client, make, app):
    admin = make.user("admin")
    worker = make.user("lead_worker", name="Lee Worker")
    sign_in(client, admin.email)
    submit(client, f"/admin/users/{worker.id}", {"name": "Lee Worker", "role": "coordinator", "active": "y"})
    [entry] = _entries(app, "user.update")
    assert entry["object_id"] == str(worker.id)
    assert entry["before"] == {"role": "lead_worker"}
    assert entry["after"] == {"role": "coordinator"}


def test_entry_and_change_are_kept_or_lost_together(app, make):
    user = make.user()
    with app.app_context():
        db.session.get(User, user.id).name = "Changed"
        record("user.update", "user", user.id, "rename", before={"name": "old"}, after={"name": "Changed"})
        db.session.rollback()
    with app.app_context():
        assert db.session.get(User, user.id).name != "Changed"
    assert _entries(app, "user.update") == []


def test_sign_ins_and_failures_are_in_the_trail(client, make, app):
    user = make.user()
    sign_in(client, user.email, "wrong-password")
    sign_in(client, user.email)
    actions = [e["action"] for e in _entries(app)]
    assert actions[-2:] == ["user.sign_in_failed", "user.sign_in"]


@pytest.fixture
def auditor_client(client, make):
    admin = make.user("admin", email="ann.admin@example.org")
    for n in range(3):
        make.user("manager", email=f"manager{n}@example.org")
    sign_in(client, make.user("auditor").email)
    return client, admin


def test_auditor_filters_the_trail_by_action(auditor_client):
    client, _ = auditor_client
    page = client.get("/audit/?action=user.create").get_data(as_text=True)
    assert page.count("<code>user.create</code>") == 5
    assert "<code>user.sign_in</code>" not in page


def test_auditor_filters_the_trail_by_who(auditor_client):
    client, _ = auditor_client
    page = client.get("/audit/?user=auditor").get_data(as_text=True)
    assert "<code>user.sign_in</code>" in page
    assert "<code>user.create</code>" not in page  # made by the system, not the auditor


def test_a_bad_date_filter_says_what_is_wrong(auditor_client):
    client, _ = auditor_client
    response = client.get("/audit/?date_from=31&date_from=2&date_from=2013")
    assert response.status_code == 200
    assert "From must be a real date" in response.get_data(as_text=True)
    response = client.get("/audit/?date_from=1&date_from=3&date_from=2013&date_to=1&date_to=2&date_to=2013")
    assert "To must be the same as or after From" in response.get_data(as_text=True)


def test_a_date_filter_keeps_only_that_day(auditor_client):
    client, _ = auditor_client
    page = client.get("/audit/?date_from=1&date_from=1&date_from=2013&date_to=31&date_to=12&date_to=2013")
    assert "No entries match" in page.get_data(as_text=True)


def test_the_trail_pages_older_entries(client, make, app):
    with app.app_context():
        for n in range(60):
            record("test.entry", "test", n, f"entry {n}")
        db.session.commit()
    sign_in(client, make.user("admin").email)
    first = client.get("/audit/?action=test.entry").get_data(as_text=True)
    assert first.count("<code>test.entry</code>") == 50
    assert "Older entries" in first
    with app.app_context():
        oldest_shown = db.session.scalars(
            select(AuditEntry.id).where(AuditEntry.action == "test.entry").order_by(AuditEntry.id.desc()).limit(50)
        ).all()[-1]
    second = client.get(f"/audit/?action=test.entry&before={oldest_shown}").get_data(as_text=True)
    assert second.count("<code>test.entry</code>") == 10
    assert "Older entries" not in second
