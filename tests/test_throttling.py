"""Failed sign-ins are throttled per account and per address; good ones are not counted."""

from tests.helpers import PASSWORD, sign_in


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
