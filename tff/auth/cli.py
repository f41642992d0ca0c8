"""`flask users ...` (see the command-line contract)."""

import os
import sys

import click
from flask.cli import AppGroup

from tff.auth.operations import UserError, create_user
from tff.auth.roles import ROLES

users_cli = AppGroup("users", help="Manage the people who can sign in.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(list(ROLES)), help="The user's role.")
@click.option("--name", default=None, help="The name shown to colleagues (default: the email).")
def create(email: str, role: str, name: str | None):
    """Add a user. The password comes from TFF_PASSWORD, or is prompted for."""
    if "@" not in email:
        raise click.UsageError(f"{email!r} is not an email address")
    password = os.environ.get("TFF_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            raise click.UsageError("set TFF_PASSWORD, or run the command in a terminal to be asked")
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email, name or email, role, password)
    except UserError as exc:
        click.echo(f"Error: {exc}", err=True)
        # An existing account is a failure of the request; a weak password is unusable input.
        sys.exit(1 if set(exc.problems) == {"email"} else 2)
    click.echo(f"created {user.email} ({user.role})")
