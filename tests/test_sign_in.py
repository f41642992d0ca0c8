import pytest

from tests.helpers import PASSWORD, sign_in, submit
from tff.auth.roles import ROLES

HEADINGS = {
    "coordinator": "Families for Change",
    "lead_worker": "Your families",
    "finance": "Payment-by-results claims",
    "manager": "The programme",
    "auditor": "Internal audit",
    "admin": "Administration",
}


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_signs_in_to_its_own_home_page(client, make, role):
    user = make.user(role)
    response = sign_in(client, user.email, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f">{HEADINGS[role]}</h1>" in page
    assert ROLES[role] in page


def test_email_is_not_case_sensitive(client, make):
    user = make.user("manager")
    response = sign_in(client, user.email.upper())
    assert response.status_code == 302


def test_wrong_password_is_refused_with_a_message(client, make):
    user = make.user()
    response = sign_in(client, user.email, "not-the-password")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The email address or password is not right" in page
    assert client.get("/").status_code == 302  # still not signed in


def test_unknown_email_gets_the_same_message(client, make):
    response = sign_in(client, "nobody@example.org", PASSWORD)
    assert "The email address or password is not right" in response.get_data(as_text=True)


def test_disabled_user_cannot_sign_in(client, make, app):
    from tff.auth.models import User
    from tff.extensions import db

    user = make.user()
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    response = sign_in(client, user.email)
    assert response.status_code == 200
    assert "not right" in response.get_data(as_text=True)


def test_sign_out_ends_the_session(client, make):
    user = make.user()
    sign_in(client, user.email)
    assert client.get("/").status_code == 200
    response = submit(client, "/logout", {}, form_url="/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_sign_in_does_not_redirect_off_site(client, make):
    user = make.user()
    response = submit(client, "/login?next=https://evil.example/steal", {"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"
    response = client.get("/")
    assert response.status_code == 200


def test_sign_in_returns_to_the_page_asked_for(client, make):
    user = make.user("admin")
    response = submit(client, "/login?next=/admin/users", {"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/admin/users"


def test_a_new_session_on_sign_in(client, make):
    user = make.user()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    sign_in(client, user.email)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("_user_id")
