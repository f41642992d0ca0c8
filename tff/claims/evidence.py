"""A claim line's evidence, frozen when its window's claim is assembled.

The window's evaluation hands the rules each family's facts; for every family with a claimable
result those very facts are kept (`freeze`), with what an outcome plan read beside them. A
line's page, and a spot check's evidence pack, show them as they were (`of_line`), whatever an
import, a correction or the retention job has done to the family's records since.

Members are kept by their person reference and date of birth (the rules tell children from
adults by age), never by name: the evidence is the claims' audit record, which retention keeps.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert, select

from tff.cases.eligibility import counts
from tff.cases.models import FamilyCriterion
from tff.cases.models.identification import CRITERIA
from tff.claims.models import ClaimBatch, ClaimEvidence, ClaimLine
from tff.evidence.kinds import EVENT_LABELS, SPELL_LABELS
from tff.extensions import db

#: the shape `freeze` writes; a reader of an older shape knows it by this
VERSION = 1
#: the school terms in the order of the year
TERMS = ("autumn", "spring", "summer")


def freeze(decided, as_of: date, criteria: list[dict] | None = None) -> dict:
    """The facts a family was decided on (`tff.outcomes.loader.Decided`), and the criteria it
    carried then (`criteria_of`), as JSON."""
    facts = decided.facts
    person = {m.member_id: m.person_ref for m in facts.members}
    evidence = {
        "version": VERSION,
        "as_of": as_of.isoformat(),
        "family_ref": facts.family_ref,
        "programme": facts.programme,
        "attached_on": facts.attached_on.isoformat() if facts.attached_on else None,
        "criteria": criteria or [],
        "members": [{"person_ref": m.person_ref, "date_of_birth": m.date_of_birth.isoformat()} for m in facts.members],
        "attendance": [
            {
                "person_ref": person.get(a.member_id, ""),
                "academic_year": a.academic_year,
                "term": a.term,
                "possible": a.possible,
                "unauthorised": a.unauthorised,
                "authorised": a.authorised,
            }
            for a in facts.attendance
        ],
        "events": [
            {
                "person_ref": person.get(e.member_id, ""),
                "kind": e.kind,
                "date": e.date.isoformat(),
                "source": e.source or "",
                "reference": e.reference,
            }
            for e in facts.events
        ],
        "spells": [
            {
                "person_ref": person.get(s.member_id, ""),
                "kind": s.kind,
                "detail": s.detail,
                "start_date": s.start_date.isoformat(),
                "end_date": s.end_date.isoformat() if s.end_date else None,
            }
            for s in facts.spells
        ],
    }
    if decided.used is not None:
        evidence.update(decided.used)
    return evidence


def criteria_of(family_ids: list[int]) -> dict[int, list[dict]]:
    """family id -> the criteria each carries (confirmed by a person, or imported), with their
    titles, in one query; a suggestion nobody confirmed is not carried, and a person's note is
    left out (it is case work, which retention removes)."""
    carried: dict[int, list[dict]] = {family_id: [] for family_id in family_ids}
    if not family_ids:
        return carried
    query = (
        select(
            FamilyCriterion.family_id,
            FamilyCriterion.kind,
            FamilyCriterion.code,
            FamilyCriterion.source,
            FamilyCriterion.confirmed_at,
            FamilyCriterion.created_at,
        )
        .where(FamilyCriterion.family_id.in_(family_ids))
        .order_by(FamilyCriterion.family_id, FamilyCriterion.kind, FamilyCriterion.code)
    )
    for family_id, kind, code, source, confirmed_at, created_at in db.session.execute(query):
        if counts(source, confirmed_at):
            carried[family_id].append(
                {
                    "kind": kind,
                    "code": code,
                    "title": CRITERIA.get(kind, {}).get(code, code.replace("_", " ").capitalize()),
                    "source": source,
                    "since": (confirmed_at or created_at).date().isoformat(),
                }
            )
    return carried


def keep(evaluation_id: int, as_of: date, decided: list) -> None:
    """Freeze the evidence of the families with a claimable result: two statements."""
    claimable = [one for one in decided if any(d.claimable for d in one.decisions)]
    criteria = criteria_of([one.facts.family_id for one in claimable])
    rows = [
        {
            "evaluation_id": evaluation_id,
            "family_id": one.facts.family_id,
            "evidence": freeze(one, as_of, criteria[one.facts.family_id]),
        }
        for one in claimable
    ]
    if rows:
        db.session.execute(insert(ClaimEvidence), rows)


@dataclass
class Frozen:
    """A line's family's evidence as it was when the claim was assembled, for the pages."""

    as_of: date
    attached_on: date | None
    #: the criteria the family carried: kind, code, title, source (confirmed or imported), since
    criteria: list[dict] = field(default_factory=list)
    members: list[dict] = field(default_factory=list)
    attendance: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    spells: list[dict] = field(default_factory=list)
    problems: list[str] | None = None
    verified: list[str] | None = None
    closed_on: date | None = None

    @property
    def empty(self) -> bool:
        return not (self.attendance or self.events or self.spells or self.verified)


def _label(labels: dict[str, str], kind: str) -> str:
    """A kind in plain words: its label, or for a kind a council added, its code made readable."""
    return labels.get(kind) or kind.replace("_", " ").capitalize()


def read(evidence: dict) -> Frozen:
    def day(value):
        return date.fromisoformat(value) if value else None

    attendance = sorted(
        evidence.get("attendance", []),
        key=lambda a: (a["person_ref"], a["academic_year"], TERMS.index(a["term"]) if a["term"] in TERMS else 9),
    )
    for a in attendance:
        a["absence_percent"] = round(100 * a["unauthorised"] / a["possible"], 1) if a["possible"] else None
    events = sorted(evidence.get("events", []), key=lambda e: (e["date"], e["person_ref"], e["kind"]))
    for e in events:
        e["label"] = _label(EVENT_LABELS, e["kind"])
    spells = sorted(evidence.get("spells", []), key=lambda s: (s["start_date"], s["person_ref"], s["kind"]))
    for s in spells:
        s["label"] = _label(SPELL_LABELS, s["kind"])
    return Frozen(
        as_of=day(evidence["as_of"]),
        attached_on=day(evidence.get("attached_on")),
        criteria=evidence.get("criteria", []),
        members=evidence.get("members", []),
        attendance=attendance,
        events=events,
        spells=spells,
        problems=evidence.get("problems"),
        verified=evidence.get("verified"),
        closed_on=day(evidence.get("closed_on")),
    )


def of_line(line: ClaimLine) -> Frozen | None:
    """The evidence the line's result was decided on; None for a line assembled before the
    evidence was kept."""
    found = db.session.scalar(
        select(ClaimEvidence.evidence)
        .join(ClaimBatch, ClaimBatch.evaluation_id == ClaimEvidence.evaluation_id)
        .where(ClaimBatch.id == line.batch_id, ClaimEvidence.family_id == line.family_id)
    )
    return read(found) if found is not None else None
