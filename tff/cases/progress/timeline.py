"""One timeline per family, merged from sources.

A source is a function that takes a family and returns its entries of one kind. Each package
registers its own with `@source(kind, label)` (the Family CAF's in `tff.cases.caf.timeline`,
referrals' in `tff.cases.referrals.timeline`); evidence, results and claims can add theirs the
same way and the timeline page, its filter and its order need no change.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import url_for
from sqlalchemy import select

from tff.cases.models import CLOSURE_REASONS, STATUSES, Family, FamilyStatusChange, LeadWorkerAssignment
from tff.cases.progress.models import CaseNote
from tff.extensions import db


@dataclass
class Entry:
    """One thing that happened to a family."""

    #: the day it happened
    on: date
    #: one of the registered sources' kinds
    kind: str
    title: str
    #: a few lines of detail; `facts` and `opinion` are shown apart when a note has them
    detail: str | None = None
    facts: str | None = None
    opinion: str | None = None
    #: who recorded it
    by: str | None = None
    #: when it was recorded: orders entries of the same day
    at: datetime | None = None
    url: str | None = None
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Source:
    kind: str
    label: str
    entries: Callable[[Family], Iterable[Entry]]


#: every registered source by kind, in the order registered
SOURCES: dict[str, Source] = {}


def source(kind: str, label: str):
    """Register a function `family -> entries` as the timeline's source of `kind`."""

    def register(function):
        SOURCES[kind] = Source(kind, label, function)
        return function

    return register


def kinds() -> list[tuple[str, str]]:
    """(kind, label) of every source, for the filter, in alphabetical order of label."""
    return sorted(((s.kind, s.label) for s in SOURCES.values()), key=lambda kl: kl[1])


def timeline(family: Family, only: Iterable[str] | None = None) -> list[Entry]:
    """The family's entries from every source (or only those kinds), newest first."""
    wanted = set(only) if only else None
    entries = [
        entry for kind, src in SOURCES.items() if wanted is None or kind in wanted for entry in src.entries(family)
    ]
    entries.sort(key=lambda e: (e.on, e.at or datetime.min), reverse=True)
    return entries


# --- The sources of the case itself ---------------------------------------------------------


@source("note", "Case notes")
def _notes(family: Family):
    for note in db.session.scalars(select(CaseNote).where(CaseNote.family_id == family.id)):
        yield Entry(
            on=note.contact_on,
            kind="note",
            title=f"Case note: {note.kind_label.lower()}",
            facts=note.facts,
            opinion=note.opinion,
            by=note.author.name if note.author else None,
            at=note.created_at,
            url=url_for("progress.note", reference=family.reference, note_id=note.id),
        )


@source("status", "Case status")
def _status_changes(family: Family):
    changes = select(FamilyStatusChange).where(FamilyStatusChange.family_id == family.id)
    for change in db.session.scalars(changes):
        reason = CLOSURE_REASONS.get(change.reason, change.reason) if change.reason else None
        yield Entry(
            on=change.effective_on,
            kind="status",
            title=f"Case {STATUSES.get(change.to_status, change.to_status).lower()}",
            detail=reason,
            by=change.by.name if change.by else None,
            at=change.at,
        )


@source("lead_worker", "Lead worker")
def _lead_workers(family: Family):
    assignments = select(LeadWorkerAssignment).where(LeadWorkerAssignment.family_id == family.id)
    for assignment in db.session.scalars(assignments):
        yield Entry(
            on=assignment.started_on,
            kind="lead_worker",
            title=f"{assignment.user.name} became lead worker",
            detail=assignment.reason,
            by=assignment.by.name if assignment.by else None,
            at=assignment.at,
        )
