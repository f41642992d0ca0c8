"""Importing, editing, exporting and adopting plan versions, and choosing a family's plan.
Every change is audited in its own transaction."""

import json
import re
from dataclasses import replace
from datetime import date

from sqlalchemy import func, select

from tff.audit.operations import record
from tff.extensions import db
from tff.outcomes.plan_versions.forms import MAX_PLAN_BYTES
from tff.outcomes.plan_versions.models import OutcomePlanVersion
from tff.outcomes.plans import PlanDocument, PlanInvalid, default_plans, dump_plan, load_plan, parse_plan
from tff.timeutil import utcnow

#: the programme a plan's framework measures
FRAMEWORKS = {"phase2": "Phase two (2015)", "supporting_families": "Supporting Families (2022)"}
#: what `outcome_plan` in families.csv may say: a name, with a version ("rotherham-2015 v2")
CHOSEN = re.compile(r"^\s*(?P<name>[^\s@]+)\s*(?:(?:v|@)\s*(?P<version>\d+))?\s*$", re.IGNORECASE)
#: when the shipped plans came into force (the programmes' own start dates)
SHIPPED_IN_FORCE = {"phase2": date(2015, 4, 1), "supporting_families": date(2022, 10, 1)}


class PlanRefused(Exception):
    """The plan cannot be stored or adopted: `errors` say why, each where in the plan."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def document_of(version: OutcomePlanVersion) -> PlanDocument:
    return parse_plan(version.document)


def plan_format(filename: str, text: str) -> str:
    """yaml or json: by the file's extension (.json; .yaml or .yml), or when it has neither by
    its content (a JSON plan is an object, so it starts with "{")."""
    lower = filename.lower()
    if lower.endswith(".json"):
        return "json"
    if lower.endswith((".yaml", ".yml")):
        return "yaml"
    return "json" if text.lstrip().startswith("{") else "yaml"


def read_plan_file(data: bytes, filename: str) -> tuple[str, str]:
    """(text, format) of a plan file's bytes (read up to one byte more than the largest plan),
    whether uploaded or named on the command line; refused, with why, when it is too large or
    is not plain UTF-8 text."""
    if len(data) > MAX_PLAN_BYTES:
        raise PlanRefused([f"The file is larger than {MAX_PLAN_BYTES // 1024} KB: a plan is a few KB"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PlanRefused(["The file is not UTF-8 text: save it as UTF-8 and upload it again"]) from None
    if (line := nul_line(text)) is not None:
        raise PlanRefused(
            [
                f"Line {line:,} holds a NUL byte (\\x00): the file is not plain text. Save it as UTF-8 text and "
                "upload it again"
            ]
        )
    return text, plan_format(filename, text)


def store(text: str, fmt: str, user, *, source: str = "imported", renumber: bool = False) -> OutcomePlanVersion:
    """A new plan version from YAML or JSON text, validated whole; nothing stored when any
    part of it is wrong. With `renumber`, a document whose version number is taken already
    (an export imported again) is stored as the plan's next version instead of refused."""
    if (line := nul_line(text)) is not None:
        raise PlanRefused([f"line {line:,}: a NUL character (\\x00), which a plan cannot hold"])
    try:
        document = load_plan(text, fmt)
    except PlanInvalid as exc:
        raise PlanRefused(exc.errors) from None
    # Written as an escape (\u0000 in JSON, "\0" in YAML), a NUL reads as a character of
    # a name or a title, which the database cannot store.
    where = _nul_at(json.loads(dump_plan(document, "json")))
    if where is not None:
        raise PlanRefused([f"{where}: a NUL character (written \\u0000 or \\0), which a plan cannot hold"])
    return _add(document, user, source, renumber)


def nul_line(text: str) -> int | None:
    """The line of the text's first NUL character; None when it has none."""
    at = text.find("\x00")
    return None if at < 0 else text.count("\n", 0, at) + 1


def _nul_at(data, path: str = "") -> str | None:
    """Where in plain data (as "problems[2].title") a string first holds a NUL; None if nowhere."""
    if isinstance(data, str):
        return (path or "plan") if "\x00" in data else None
    inner = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in inner:
        at = f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}" if path else key
        found = _nul_at(key, at) if isinstance(key, str) else None
        found = found or _nul_at(value, at)
        if found is not None:
            return found
    return None


def _add(document: PlanDocument, user, source: str, renumber: bool = False) -> OutcomePlanVersion:
    taken = db.session.scalar(
        select(func.max(OutcomePlanVersion.version)).where(OutcomePlanVersion.name == document.name)
    )
    if taken is not None and document.version <= taken and renumber:
        document = replace(document, version=taken + 1)
    if taken is not None and document.version <= taken:
        raise PlanRefused(
            [f"version: {document.name} has version {taken} already; a new version must be numbered {taken + 1}"]
        )
    version = OutcomePlanVersion(
        name=document.name,
        version=document.version,
        title=document.title,
        framework=document.framework,
        document=json.loads(dump_plan(document, "json")),
        created_by_id=user.id if user is not None else None,
    )
    db.session.add(version)
    db.session.flush()
    record(
        "outcome_plan.store",
        "outcome_plan_version",
        version.id,
        f"Outcome plan {version.label} ({version.title}) {source}",
        None,
        {"name": version.name, "version": version.version, "framework": version.framework},
        user=user,
    )
    db.session.commit()
    return version


def export(version: OutcomePlanVersion, fmt: str) -> str:
    return dump_plan(document_of(version), fmt)


def next_version_text(version: OutcomePlanVersion) -> str:
    """The version's YAML, numbered as the plan's next version: the start of an edit."""
    latest = db.session.scalar(
        select(func.max(OutcomePlanVersion.version)).where(OutcomePlanVersion.name == version.name)
    )
    data = dict(version.document)
    data["version"] = latest + 1
    return dump_plan(parse_plan(data), "yaml")


def adopt(version: OutcomePlanVersion, in_force_from: date, user=None) -> None:
    """Families of the plan's framework attached from the date on are measured against it.
    Decisions already recorded keep the version they were made with."""
    if version.adopted:
        raise PlanRefused([f"{version.label} was adopted already, in force from {version.in_force_from:%-d %B %Y}"])
    before = {"in_force_from": None}
    version.in_force_from, version.adopted_at = in_force_from, utcnow()
    version.adopted_by_id = user.id if user is not None else None
    record(
        "outcome_plan.adopt",
        "outcome_plan_version",
        version.id,
        f"Outcome plan {version.label} adopted, in force from {in_force_from.isoformat()}",
        before,
        {"in_force_from": in_force_from.isoformat()},
        user=user,
    )
    db.session.commit()


def missing_shipped() -> list[PlanDocument]:
    """The plans shipped with the product that are not stored yet."""
    stored = set(db.session.execute(select(OutcomePlanVersion.name, OutcomePlanVersion.version)).all())
    return [plan for plan in default_plans() if (plan.name, plan.version) not in stored]


def store_shipped(user, adopt_them: bool = True) -> list[OutcomePlanVersion]:
    """Store (and adopt, from their programme's start) the shipped plans not stored yet."""
    stored = []
    for plan in missing_shipped():
        version = _add(plan, user, "shipped with the product")
        if adopt_them:
            adopt(version, SHIPPED_IN_FORCE[plan.framework], user)
        stored.append(version)
    return stored
