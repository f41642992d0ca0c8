"""Every view checks the user's role; family data goes through the one scoping function."""

import pytest
from sqlalchemy import select

from tests.helpers import sign_in
from tff.auth.roles import ROLES
from tff.cases.access import visible_families

#: endpoints a visitor may use without signing in
PUBLIC = {"auth.login", "static", "pages.govuk_assets"}


def _get_urls(app):
    """One concrete URL per GET endpoint, with 1 for every integer argument."""
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in PUBLIC:
            continue
        yield rule.endpoint, rule.build({arg: 1 for arg in rule.arguments}, append_unknown=False)[1]


def test_every_view_but_sign_in_needs_a_signed_in_user(client, app):
    urls = list(_get_urls(app))
    assert len(urls) >= 6
    for endpoint, url in urls:
        response = client.get(url)
        assert response.status_code == 302, f"{endpoint} {url} answered {response.status_code} to a visitor"
        assert response.headers["Location"].startswith("/login"), endpoint


def test_every_view_names_the_roles_that_may_use_it(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "allowed_roles", None), f"{rule.endpoint} has no @role_required"


@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        ("lead_worker", "/admin/users", 403),
        ("coordinator", "/admin/users", 403),
        ("admin", "/admin/users", 200),
        ("finance", "/audit/", 403),
        ("lead_worker", "/audit/", 403),
        ("auditor", "/audit/", 200),
        ("admin", "/audit/", 200),
    ],
)
def test_a_role_is_refused_a_page_it_may_not_use(client, make, role, url, status):
    sign_in(client, make.user(role).email)
    response = client.get(url)
    assert response.status_code == status
    if status == 403:
        assert "You do not have access to this page" in response.get_data(as_text=True)


def test_navigation_offers_only_the_pages_a_role_may_use(client, make):
    sign_in(client, make.user("lead_worker").email)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/admin/users"' not in page
    assert 'href="/audit/"' not in page
    client.post("/logout")


def test_lead_worker_sees_only_their_own_families(app, make):
    worker = make.user("lead_worker")
    other = make.user("lead_worker")
    coordinator = make.user("coordinator")
    mine = make.family(lead_worker_id=worker.id)
    make.family(lead_worker_id=other.id)
    make.family()
    from tff.auth.models import User
    from tff.extensions import db

    with app.app_context():

        def refs(user_id):
            user = db.session.get(User, user_id)
            return {f.reference for f in db.session.scalars(visible_families(user))}

        assert refs(worker.id) == {mine.reference}
        assert len(refs(coordinator.id)) == 3
        db.session.get(User, coordinator.id).active = False
        db.session.commit()
        assert refs(coordinator.id) == set()
        assert db.session.scalars(visible_families(None)).all() == []


def test_home_page_counts_only_the_families_a_user_may_see(client, make):
    worker = make.user("lead_worker")
    make.family(lead_worker_id=worker.id, status="attached")
    for _ in range(4):
        make.family(status="attached")
    sign_in(client, worker.email)
    page = client.get("/").get_data(as_text=True)
    assert "1 family, by programme and status" in page


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_role_has_a_working_home_page(client, make, role):
    sign_in(client, make.user(role).email)
    assert client.get("/").status_code == 200


def test_unknown_page_is_a_styled_404(client, make):
    sign_in(client, make.user().email)
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    assert "govuk-template" in response.get_data(as_text=True)


def test_a_failure_inside_a_view_is_a_styled_500_and_nothing_is_kept(database_url, make):
    from tests.conftest import build_app
    from tff.audit.models import AuditEntry
    from tff.audit.operations import record
    from tff.auth.permissions import role_required
    from tff.extensions import db

    user = make.user("admin")
    app = build_app(database_url)  # its own app: routes cannot be added once one has served

    @app.get("/boom")
    @role_required("admin")
    def boom():
        record("test.boom", "test", None, "must not be kept")
        raise RuntimeError("boom")

    client = app.test_client()
    sign_in(client, user.email)
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "test.boom")).all() == []
