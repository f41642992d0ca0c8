"""`flask demo setup`: the demo accounts and cohort that `make run` gives a new machine."""

import secrets
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from tff.auth.operations import create_user, find_by_email
from tff.auth.roles import ROLES
from tff.cases.models import Family
from tff.demo.providers import record_providers_and_referrals
from tff.extensions import db
from tff.jobs.cli_support import run_and_wait
from tff.outcomes.plan_versions.operations import store_shipped

demo_cli = AppGroup("demo", help="Demo accounts and a synthetic cohort.")

DEMO_DOMAIN = "example.org"
DEMO_NAMES = {
    "coordinator": "Demo Coordinator",
    "lead_worker": "Demo Lead Worker",
    "finance": "Demo Finance Officer",
    "manager": "Demo Manager",
    "auditor": "Demo Auditor",
    "admin": "Demo Administrator",
}


def _accounts_file() -> Path:
    return Path(current_app.instance_path) / "demo-accounts.txt"


@demo_cli.command("setup")
@click.option(
    "--families",
    default=300,
    show_default=True,
    envvar="TFF_DEMO_FAMILIES",
    show_envvar=True,
    help="How many demo families to make (`make run` passes TFF_DEMO_FAMILIES on).",
)
@click.option("--queue", is_flag=True, help="Hand the cohort load to the workers and wait for it.")
@click.option("--timeout", default=300, show_default=True, help="With --queue: seconds to wait.")
def setup(families: int, queue: bool, timeout: int):
    """On first run: one account per role, and the demo cohort. Prints the accounts."""
    path = _accounts_file()
    lines = path.read_text().splitlines() if path.exists() else []
    for role in ROLES:
        email = f"{role.replace('_', '-')}@{DEMO_DOMAIN}"
        if find_by_email(email):
            continue
        password = "-".join(secrets.token_urlsafe(4) for _ in range(3))
        create_user(email, DEMO_NAMES[role], role, password)
        lines.append(f"{role:12} {email:28} {password}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)

    # The outcome plans shipped with the product, adopted as a new council would adopt them.
    for version in store_shipped(None):
        click.echo(f"Stored and adopted the outcome plan {version.label}")

    if not db.session.scalar(select(func.count()).select_from(Family)):
        job = run_and_wait("demo.load", "Load the demo cohort", {"families": families}, queue=queue, timeout=timeout)
        click.echo(job.message)

    # The seed council's commissioned providers, and the demo's families referred to them.
    added, referred = record_providers_and_referrals()
    if added or referred:
        click.echo(f"Recorded {added} commissioned providers and referred {referred} families to them")

    click.echo(f"\nDemo accounts (kept in {path}):")
    for line in lines:
        click.echo("  " + line)
