"""`flask users create` as the command-line contract fixes it."""

import pytest

from tff.auth.operations import find_by_email


@pytest.fixture
def run(clean):
    runner = clean.test_cli_runner()

    def invoke(*args, env=None):
        return runner.invoke(args=list(args), env=env or {})

    return invoke


def test_users_create_reads_the_password_from_the_environment(run, clean):
    result = run(
        "users",
        "create",
        "Pat@Example.org",
        "--role",
        "finance",
        "--name",
        "Pat Finance",
        env={"TFF_PASSWORD": "a-long-enough-password"},
    )
    assert result.exit_code == 0, result.output
    with clean.app_context():
        user = find_by_email("pat@example.org")
        assert (user.role, user.name) == ("finance", "Pat Finance")


def test_users_create_an_existing_email_fails_with_1(run):
    env = {"TFF_PASSWORD": "a-long-enough-password"}
    assert run("users", "create", "a@example.org", "--role", "admin", env=env).exit_code == 0
    result = run("users", "create", "a@example.org", "--role", "admin", env=env)
    assert result.exit_code == 1
    assert "already a user" in result.output


@pytest.mark.parametrize(
    ("args", "password"),
    [
        (["users", "create", "b@example.org", "--role", "wizard"], "a-long-enough-password"),
        (["users", "create", "not-an-email", "--role", "admin"], "a-long-enough-password"),
        (["users", "create", "c@example.org", "--role", "admin"], "short"),
        (["users", "create", "d@example.org"], "a-long-enough-password"),
    ],
)
def test_users_create_unusable_input_exits_2_and_changes_nothing(run, clean, args, password):
    result = run(*args, env={"TFF_PASSWORD": password})
    assert result.exit_code == 2, result.output
    with clean.app_context():
        assert find_by_email(args[2]) is None


def test_users_create_without_a_password_or_terminal_is_refused(run):
    result = run("users", "create", "e@example.org", "--role", "admin")
    assert result.exit_code == 2
    assert "TFF_PASSWORD" in result.output
