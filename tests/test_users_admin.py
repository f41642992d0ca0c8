"""An administrator adds people, changes their role and disables them."""

from tests.helpers import PASSWORD, sign_in, submit
from tff.auth.models import User
from tff.extensions import db


def test_admin_adds_a_user_who_can_then_sign_in(client, make, app):
    sign_in(client, make.user("admin").email)
    response = submit(
        client,
        "/admin/users/new",
        {"email": "fin@example.org", "name": "Fin Officer", "role": "finance", "password": "a-long-enough-password"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Fin Officer can now sign in as Finance officer" in page
    assert "fin@example.org" in page
    other = app.test_client()
    assert sign_in(other, "fin@example.org", "a-long-enough-password").status_code == 302


def test_adding_a_user_says_what_is_wrong(client, make):
    admin = make.user("admin")
    sign_in(client, admin.email)
    page = submit(
        client,
        "/admin/users/new",
        {"email": admin.email, "name": "", "role": "finance", "password": "short"},
    ).get_data(as_text=True)
    assert "There is a problem" in page
    assert "Enter the person&#39;s name" in page or "Enter the person's name" in page
    page = submit(
        client,
        "/admin/users/new",
        {"email": admin.email, "name": "Dup", "role": "finance", "password": "short"},
    ).get_data(as_text=True)
    assert f"There is already a user with the email address {admin.email}" in page
    assert "at least 12 characters" in page


def test_disabling_a_user_ends_their_session(client, make, app):
    worker = make.user("lead_worker")
    worker_client = app.test_client()
    sign_in(worker_client, worker.email)
    assert worker_client.get("/").status_code == 200
    sign_in(client, make.user("admin").email)
    submit(client, f"/admin/users/{worker.id}", {"name": "W", "role": "lead_worker"})  # no "active": unticked
    with app.app_context():
        assert db.session.get(User, worker.id).active is False
    assert worker_client.get("/").status_code == 302
    assert sign_in(worker_client, worker.email).status_code == 200


def test_changing_a_role_changes_what_the_user_may_do(client, make, app):
    person = make.user("lead_worker")
    their_client = app.test_client()
    sign_in(their_client, person.email)
    assert their_client.get("/audit/").status_code == 403
    sign_in(client, make.user("admin").email)
    submit(client, f"/admin/users/{person.id}", {"name": "P", "role": "auditor", "active": "y"})
    sign_in(their_client, person.email)  # the change signed them out everywhere
    assert their_client.get("/audit/").status_code == 200


def test_an_administrator_cannot_lock_themselves_out(client, make, app):
    admin = make.user("admin")
    sign_in(client, admin.email)
    page = submit(client, f"/admin/users/{admin.id}", {"name": "A", "role": "manager", "active": "y"}).get_data(
        as_text=True
    )
    assert "the only administrator" in page
    make.user("admin")
    page = submit(client, f"/admin/users/{admin.id}", {"name": "A", "role": "admin"}).get_data(as_text=True)
    assert "You cannot change your own role or disable yourself" in page
    with app.app_context():
        assert db.session.get(User, admin.id).active is True


def test_a_new_password_replaces_the_old(client, make, app):
    person = make.user("manager")
    sign_in(client, make.user("admin").email)
    submit(
        client,
        f"/admin/users/{person.id}",
        {"name": "M", "role": "manager", "active": "y", "password": "brand-new-password-1"},
    )
    other = app.test_client()
    assert sign_in(other, person.email, PASSWORD).status_code == 200
    assert sign_in(other, person.email, "brand-new-password-1").status_code == 302
