"""CSRF on every form, cookie flags, and the security headers on every response."""

import pytest

from tests.helpers import sign_in


def test_sign_in_without_a_csrf_token_is_refused(client, make):
    user = make.user()
    response = client.post("/login", data={"email": user.email, "password": "correct-horse-battery"})
    assert response.status_code == 400
    assert "The form has expired" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_a_change_without_a_csrf_token_is_refused_and_nothing_changes(client, make, app):
    from tff.auth.operations import find_by_email

    admin = make.user("admin")
    sign_in(client, admin.email)
    response = client.post(
        "/admin/users/new",
        data={"email": "new@example.org", "name": "New", "role": "manager", "password": "a-long-enough-password"},
    )
    assert response.status_code == 400
    with app.app_context():
        assert find_by_email("new@example.org") is None


def test_sign_out_without_a_csrf_token_is_refused(client, make):
    sign_in(client, make.user().email)
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_every_form_on_the_pages_carries_a_csrf_token(client, make):
    sign_in(client, make.user("admin").email)
    for url in ["/", "/admin/users/new", "/admin/users", "/jobs/"]:
        page = client.get(url).get_data(as_text=True)
        for form in page.split("<form")[1:]:
            form = form.split("</form>")[0]
            if 'method="get"' in form:
                continue
            assert 'name="csrf_token"' in form, f"a form on {url} has no CSRF token"


@pytest.mark.parametrize("url", ["/login", "/"])
def test_security_headers(client, url):
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script(client, make):
    sign_in(client, make.user("admin").email)
    for url in ["/login", "/", "/admin/users", "/admin/users/new", "/jobs/", "/audit/"]:
        page = client.get(url).get_data(as_text=True)
        for tag in page.split("<script")[1:]:
            assert "src=" in tag.split(">")[0], f"inline script on {url}"


def test_session_cookie_is_httponly_and_samesite_lax(client, make):
    user = make.user()
    response = sign_in(client, user.email)
    cookie = next(v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_govuk_assets_are_served_by_the_app(client):
    assert client.get("/static/govuk/govuk-frontend.min.css").status_code == 200
    assert client.get("/static/govuk/govuk-frontend.min.js").status_code == 200
    assert client.get("/assets/images/favicon.ico").status_code == 200
    page = client.get("/login").get_data(as_text=True)
    assert "cdn" not in page.lower()
