"""`flask plans import | adopt | list | export`, as the command-line contract fixes them
(`cli.md`), so that a data team can script what managers do on the Outcome plans pages: through
the same operations, audited the same way (with no user: the command line is the system).

Exit codes: 0 done; 1 the command ran and the operation refused (why on stderr); 2 the input
was unusable (an unreadable file, an invalid plan, an unknown version, a bad date): nothing
was changed."""

import sys
from datetime import date, timedelta
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from tff.dates import PlausibleDate
from tff.extensions import db
from tff.outcomes.plan_versions import operations
from tff.outcomes.plan_versions.forms import MAX_PLAN_BYTES
from tff.outcomes.plan_versions.models import OutcomePlanVersion

plans_cli = AppGroup("plans", help="Outcome plans: store, adopt, list and export their versions.")
#: what `export --out` writes, by the file's extension
EXPORT_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def _unusable(*lines: str) -> None:
    """Stop with exit 2: the input cannot be used, and nothing was changed."""
    db.session.rollback()
    for line in lines:
        click.echo(line, err=True)
    sys.exit(2)


def _version(name: str, number: int) -> OutcomePlanVersion:
    """The stored version, or exit 2 naming the versions that are stored."""
    found = db.session.scalar(
        select(OutcomePlanVersion).where(OutcomePlanVersion.name == name, OutcomePlanVersion.version == number)
    )
    if found is not None:
        return found
    numbers = db.session.scalars(
        select(OutcomePlanVersion.version).where(OutcomePlanVersion.name == name).order_by(OutcomePlanVersion.version)
    ).all()
    if numbers:
        _unusable(
            f"Error: {name} has no version {number}; its stored versions are {', '.join(str(n) for n in numbers)}"
        )
    _unusable(f"Error: no outcome plan called {name} is stored (flask plans list shows those that are)")


@plans_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def import_plan(file: Path):
    """Store the outcome plan in FILE (YAML or JSON) as a new version; print NAME VERSION."""
    try:
        with file.open("rb") as stream:
            data = stream.read(MAX_PLAN_BYTES + 1)
    except OSError as exc:
        _unusable(f"Error: cannot read {file}: {exc.strerror or exc}")
    try:
        text, fmt = operations.read_plan_file(data, file.name)
        version = operations.store(text, fmt, None, source="imported from the command line", renumber=True)
    except operations.PlanRefused as exc:
        _unusable(f"Error: the plan in {file} was not stored:", *exc.errors)
    click.echo(f"{version.name} {version.version}")


@plans_cli.command("adopt")
@click.argument("name")
@click.argument("number", metavar="VERSION", type=click.IntRange(min=1))
@click.option("--from", "in_force_from", required=True, type=PlausibleDate(), help="In force from, YYYY-MM-DD.")
def adopt(name: str, number: int, in_force_from):
    """Put version VERSION of the plan NAME in force for families attached from the date on."""
    version = _version(name, number)
    try:
        operations.adopt(version, in_force_from.date(), None)
    except operations.PlanRefused as exc:
        db.session.rollback()
        for error in exc.errors:
            click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    click.echo(f"Adopted {version.label}, in force from {version.in_force_from.isoformat()}")


def in_force(versions: list[OutcomePlanVersion]) -> dict[int, str]:
    """version id -> when it is in force, in words. A framework's families are measured against
    the version in force on their attachment date, the latest adopted by that day (on the same
    day, the higher version), so an adopted version is in force until the next one starts."""
    said: dict[int, str] = {}
    adopted = sorted((v for v in versions if v.adopted), key=lambda v: (v.framework, v.in_force_from, v.version))
    for version in versions:
        if not version.adopted:
            said[version.id] = "not adopted"
            continue
        later = [
            v
            for v in adopted
            if v.framework == version.framework
            and (v.in_force_from, v.version) > (version.in_force_from, version.version)
        ]
        start = version.in_force_from
        if not later:
            said[version.id] = f"in force from {start.isoformat()}"
        elif later[0].in_force_from == start:
            said[version.id] = f"adopted from {start.isoformat()}, never in force: {later[0].label} starts that day"
        else:
            until: date = later[0].in_force_from - timedelta(days=1)
            said[version.id] = f"in force from {start.isoformat()} to {until.isoformat()}"
    return said


@plans_cli.command("list")
def list_plans():
    """Every stored version: its framework and when it is in force."""
    versions = db.session.scalars(
        select(OutcomePlanVersion).order_by(OutcomePlanVersion.name, OutcomePlanVersion.version)
    ).all()
    if not versions:
        click.echo("No outcome plan is stored.")
        return
    when = in_force(versions)
    rows = [("name", "version", "framework", "in force", "title")]
    rows += [(v.name, str(v.version), v.framework, when[v.id], v.title) for v in versions]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        click.echo("  ".join([*(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)), row[4]]))


@plans_cli.command("export")
@click.argument("name")
@click.argument("number", metavar="VERSION", type=click.IntRange(min=1))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="FILE.yaml or .json")
def export(name: str, number: int, out: Path):
    """Write version VERSION of the plan NAME as YAML or JSON, by the extension of FILE."""
    fmt = EXPORT_FORMATS.get(out.suffix.lower())
    if fmt is None:
        _unusable(f"Error: {out} must end .yaml, .yml or .json: the extension says which format to write")
    version = _version(name, number)
    try:
        out.write_text(operations.export(version, fmt), encoding="utf-8")
    except OSError as exc:
        _unusable(f"Error: cannot write {out}: {exc.strerror or exc}")
    click.echo(f"Wrote {version.label} to {out}")
