"""Failed sign-ins are throttled per account and per address; good ones are not counted."""

import pytest
from sqlalchemy import select

from tests.helpers import PASSWORD, sign_in
from tff.audit.models import AuditEntry
from tff.extensions import db


def test_an_account_is_throttled_after_five_failed_attempts(client, make):
    user = make.user()
    for _ in range(5):
        assert sign_in(client, user.email, "wrong-password").status_code == 200
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_throttling_one_account_leaves_another_alone(client, make):
    victim, colleague = make.user(), make.user()
    for _ in range(6):
        sign_in(client, victim.email, "wrong-password")
    assert sign_in(client, colleague.email).status_code == 302


def test_an_address_is_throttled_across_accounts(client, make):
    users = [make.user() for _ in range(5)]
    for attempt in range(20):
        assert sign_in(client, users[attempt % 5].email, "wrong-password").status_code in (200, 429)
    fresh = make.user()
    assert sign_in(client, fresh.email).status_code == 429


def test_another_address_is_not_throttled(client, make, app):
    user = make.user()
    for _ in range(20):
        sign_in(client, f"nobody{_}@example.org", "wrong-password")
    other = app.test_client()
    response = sign_in(other, user.email, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert response.status_code == 302


def test_successful_sign_ins_are_not_counted(client, make):
    user = make.user()
    for _ in range(8):
        assert sign_in(client, user.email).status_code == 302
        client.post("/logout", data={})  # refused without a token; sign in again regardless
        with client.session_transaction() as session:
            session.clear()
    assert sign_in(client, user.email).status_code == 302


def _client_at(app, address: str, forwarded_for: str | None = None):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    if forwarded_for:
        client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client


def test_an_account_guessed_at_from_one_address_still_signs_in_from_another(clean, make):
    owner = make.user()
    attacker = _client_at(clean, "203.0.113.9")
    for _ in range(6):
        sign_in(attacker, owner.email, "wrong-password")
    assert sign_in(attacker, owner.email).status_code == 429
    assert sign_in(_client_at(clean, "10.1.2.3"), owner.email).status_code == 302


def test_a_throttled_address_leaves_the_rest_of_the_council_alone(clean, make):
    colleague = make.user()
    noisy = _client_at(clean, "10.1.2.3")
    for attempt in range(20):
        sign_in(noisy, f"nobody{attempt}@example.org", "wrong-password")
    assert sign_in(noisy, colleague.email).status_code == 429
    assert sign_in(_client_at(clean, "10.1.2.4"), colleague.email).status_code == 302


def test_without_trusted_proxies_a_forwarded_address_is_not_believed(clean, make):
    """Otherwise a guesser would send a new X-Forwarded-For with every attempt."""
    user = make.user()
    for attempt in range(6):
        sign_in(_client_at(clean, "203.0.113.9", f"198.51.100.{attempt}"), user.email, "wrong-password")
    assert sign_in(_client_at(clean, "203.0.113.9", "198.51.100.99"), user.email).status_code == 429


@pytest.fixture
def behind_proxy(clean):
    """The app as the README runs it behind the council's TLS proxy (TFF_TRUSTED_PROXIES=1)."""
    from tests.conftest import build_app

    return build_app(clean.config["SQLALCHEMY_DATABASE_URI"], TRUSTED_PROXIES=1)


def test_behind_the_proxy_each_person_is_throttled_at_their_own_address(behind_proxy, make):
    owner, colleague = make.user(), make.user()
    proxy = "10.0.0.1"
    guesser = _client_at(behind_proxy, proxy, "10.20.0.66")
    for _ in range(5):
        sign_in(guesser, owner.email, "wrong-password")
    assert sign_in(guesser, owner.email).status_code == 429
    for attempt in range(15):
        sign_in(guesser, f"nobody{attempt}@example.org", "wrong-password")
    assert sign_in(guesser, colleague.email).status_code == 429
    # Everyone else comes through the same proxy, from their own desks.
    assert sign_in(_client_at(behind_proxy, proxy, "10.20.0.7"), owner.email).status_code == 302
    assert sign_in(_client_at(behind_proxy, proxy, "10.20.0.8"), colleague.email).status_code == 302
    with behind_proxy.app_context():
        failed = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.sign_in_failed")).first()
        assert failed.remote_addr == "10.20.0.66"


def test_trusted_proxies_must_be_a_small_number(monkeypatch):
    from config import TestConfig

    monkeypatch.setenv("TFF_TRUSTED_PROXIES", "the proxy")
    with pytest.raises(RuntimeError, match="TFF_TRUSTED_PROXIES must be the number of proxies"):
        TestConfig()
