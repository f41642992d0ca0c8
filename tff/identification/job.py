"""Working out the suggestions of the cohort: a job over every identified family not yet
attached (or one), in chunks of references read with the outcomes loader's set-based queries,
each chunk's suggestions replacing the families' earlier ones in one transaction.

A family that cannot be worked out (no plan measures it, a date the rules cannot measure
from, a plan's identify rule nobody can read) gets a reason instead (`undecided`, kept with
the job), and the job goes on with the others. A family with no members or no evidence is no
error: it simply has nothing suggested.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, insert, select

from tff.cases.models import IDENTIFIED, Family, FamilyCriterion
from tff.cases.models.identification import FROM_EVIDENCE
from tff.evidence.models import AttendanceRecord, Event, Spell
from tff.evidence.settings import EvidenceSetting, out_of_work_codes
from tff.extensions import db
from tff.identification import engine
from tff.identification.models import IdentificationSuggestion
from tff.imports.kinds.base import among
from tff.jobs.operations import JobError
from tff.outcomes import loader, undecided
from tff.outcomes.models import UndecidedFamily
from tff.outcomes.plan_versions.measuring import AdoptedPlans, adopted_versions, measuring
from tff.outcomes.plans.document import FRAMEWORKS

JOB_KIND = "identification.suggest"
#: families worked out a chunk, each chunk a few queries whatever its size
CHUNK = 2000
#: the evidence setting that says which absence the education criterion counts
ABSENCE_KEY = "identification_absence"


class UnknownFamily(Exception):
    """The family named cannot be worked out: the message says why."""


def not_attached():
    """The families identification is for (a query condition): identified, not yet attached,
    and not anonymised."""
    return (Family.status == IDENTIFIED) & Family.attached_on.is_(None) & Family.anonymised_at.is_(None)


def check_family(family_ref: str) -> str:
    """The reference of the family named, when it is one identification is for."""
    family = db.session.scalar(select(Family).where(Family.reference == family_ref.strip()))
    if family is None:
        raise UnknownFamily(f"There is no family with the reference {family_ref.strip()!r}.")
    if family.status != IDENTIFIED or family.attached_on is not None or family.anonymised_at is not None:
        raise UnknownFamily(
            f"Family {family.reference} is {family.status}: criteria are suggested only for families "
            "identified and not yet attached."
        )
    return family.reference


def title(as_of: date, family_ref: str | None = None) -> str:
    who = f"family {family_ref}" if family_ref else "every identified family not yet attached"
    return f"Suggest the criteria of {who} as of {as_of:%-d %B %Y}"


def absence_setting() -> str:
    """Which absence the education criterion counts: `unauthorised` unless an administrator chose `all`."""
    setting = db.session.get(EvidenceSetting, ABSENCE_KEY)
    value = setting.value if setting is not None else None
    if isinstance(value, dict):
        value = value.get("absence")
    return value if value in engine.ABSENCE_SETTINGS else engine.UNAUTHORISED


def settings() -> engine.Settings:
    return engine.Settings(frozenset(out_of_work_codes()), loader.calendar(), absence_setting())


@dataclass(frozen=True)
class Worked:
    families: int
    suggestions: int
    undecided: int


def chunk_after(
    after: str, family_ref: str | None = None, limit: int = CHUNK
) -> list[tuple[int, str, str, str | None]]:
    """The next chunk of families to work out, (id, reference, programme, outcome_plan), by reference."""
    query = select(Family.id, Family.reference, Family.programme, Family.outcome_plan).where(
        not_attached(), Family.reference > after
    )
    if family_ref is not None:
        query = query.where(Family.reference == family_ref)
    return [tuple(row) for row in db.session.execute(query.order_by(Family.reference).limit(limit))]


def _no_plan(programme: str, as_of: date, chosen: str | None, versions) -> str:
    if chosen:
        return AdoptedPlans(versions, as_of).why_none(programme, None, chosen)
    if programme not in FRAMEWORKS:
        return f"{programme!r} is not a programme"
    return f"no outcome plan of {programme} is in force on {as_of.isoformat()}: a manager adopts one at Outcome plans"


def _facts(family_ids: list[int], only: loader.Only):
    """The facts of the chunk's families (the evidence the rules read), event sources and
    references with them; when a row of one of them cannot be read, each family alone, so
    that only that one is left out."""
    try:
        return loader.load(family_ids, references=True, only=only), {}
    except Exception as exc:  # noqa: BLE001 - one family's unreadable row must not stop the rest
        if len(family_ids) == 1:
            return [], {family_ids[0]: exc}
        facts, failed = [], {}
        for family_id in family_ids:
            one, bad = _facts([family_id], only)
            facts += one
            failed.update(bad)
        return facts, failed


def work_out(rows, as_of: date, rules: engine.Settings, versions, job_id: int | None) -> tuple[int, int]:
    """Work out the suggestions of these families (`chunk_after` rows) and replace their
    earlier ones, recording those that cannot be worked out (in the caller's transaction);
    returns (suggestions, families left out)."""
    ids = [row[0] for row in rows]
    refs = {row[0]: row[1] for row in rows}
    chosen = {row[0]: row[3] for row in rows}
    read = engine.evidence_read(as_of, rules, (v[4] for v in versions))
    facts_of, failed = _facts(ids, loader.Only(*(frozenset(kinds) for kinds in read)))
    values, left_out = [], []
    for family_id, exc in failed.items():
        left_out.append(
            undecided.Undecided(family_id, refs[family_id], undecided.reason_for(exc, _bare(family_id, refs)))
        )
    for facts in facts_of:
        try:
            plan = None
            if facts.programme != engine.RULE_SET:
                plan = measuring(versions, facts.programme, as_of, chosen.get(facts.family_id))
                if plan is None:
                    why = _no_plan(facts.programme, as_of, chosen.get(facts.family_id), versions)
                    raise engine.CannotSuggest(why)
            found = engine.suggest(facts, as_of, rules, plan)
        except engine.CannotSuggest as exc:
            left_out.append(undecided.Undecided(facts.family_id, facts.family_ref, str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - the family gets a reason; the others go on
            reason = undecided.reason_for(exc, facts, as_of)
            left_out.append(undecided.Undecided(facts.family_id, facts.family_ref, reason))
            continue
        values += [
            {
                "family_id": facts.family_id,
                "code": s.code,
                "kind": s.kind,
                "evidence": list(s.evidence),
                "as_of": as_of,
                "job_id": job_id,
            }
            for s in found
        ]
    if ids:
        db.session.execute(
            delete(IdentificationSuggestion)
            .where(among(IdentificationSuggestion.family_id, ids))
            .execution_options(synchronize_session=False)
        )
    if values:
        db.session.execute(insert(IdentificationSuggestion), values)
    undecided.record(left_out, job_id=job_id)
    return len(values), len(left_out)


def _bare(family_id: int, refs: dict[int, str]):
    from tff.outcomes.facts import FamilyFacts

    return FamilyFacts(family_id, refs[family_id], engine.RULE_SET, None)


def run(job, as_of: str, family_ref: str | None = None) -> dict:
    """The job: every identified family not yet attached (or the one named), a chunk at a time."""
    day = date.fromisoformat(as_of)
    if family_ref is not None:
        try:
            family_ref = check_family(family_ref)
        except UnknownFamily as exc:
            raise JobError(str(exc)) from exc
    rules, versions = settings(), adopted_versions()
    total = 1 if family_ref else db.session.scalar(select(func.count()).select_from(Family).where(not_attached()))
    job.progress(0, total, f"Suggesting the criteria of {total:,} families", unit="families")
    done = suggestions = left_out = 0
    after = ""
    while rows := chunk_after(after, family_ref):
        made, failed = work_out(rows, day, rules, versions, job.id)
        db.session.commit()
        done, suggestions, left_out = done + len(rows), suggestions + made, left_out + failed
        after = rows[-1][1]
        job.progress(done, max(total, done), f"Worked out {done:,} of {max(total, done):,} families")
    note = f"; {left_out:,} {'family' if left_out == 1 else 'families'} could not be worked out" if left_out else ""
    return {
        "message": f"Suggested {suggestions:,} criteria for {done - left_out:,} families as of {day:%-d %B %Y}{note}",
        "families": done,
        "suggestions": suggestions,
        "undecided": left_out,
    }


# --- reading what was worked out --------------------------------------------------------------


def left_out(job_id: int) -> list[UndecidedFamily]:
    query = select(UndecidedFamily).where(UndecidedFamily.job_id == job_id)
    return list(db.session.scalars(query.order_by(UndecidedFamily.family_ref, UndecidedFamily.id)))


@dataclass(frozen=True)
class Identified:
    """A family, its suggestions and its confirmed criteria, and what they make it."""

    family_ref: str
    programme: str
    #: code -> (kind, evidence)
    suggested: dict[str, tuple[str, list[str]]]
    #: (kind, code) of its confirmed criteria
    confirmed: list[tuple[str, str]]
    #: whether it has any member with any evidence
    has_evidence: bool

    @property
    def eligible(self) -> bool:
        return engine.eligible(self.programme, self.confirmed)

    @property
    def eligible_if_confirmed(self) -> bool:
        return engine.eligible(self.programme, [*self.confirmed, *((k, c) for c, (k, _) in self.suggested.items())])

    def confirmed_codes(self) -> list[str]:
        return sorted({c for _, c in self.confirmed})

    def as_json(self) -> dict:
        return {
            "family_ref": self.family_ref,
            "programme": self.programme,
            "suggested": sorted(self.suggested),
            "confirmed": self.confirmed_codes(),
            "eligible": self.eligible,
            "eligible_if_confirmed": self.eligible_if_confirmed,
            "evidence": {code: evidence for code, (_, evidence) in sorted(self.suggested.items())},
        }


def _with_evidence(ids: list[int]) -> set[int]:
    found: set[int] = set()
    from tff.cases.models import Member

    for model in (Event, Spell, AttendanceRecord):
        query = (
            select(Member.family_id)
            .join(model, model.member_id == Member.id)
            .where(among(Member.family_id, ids))
            .distinct()
        )
        found.update(db.session.scalars(query))
    return found


def identified(job_id: int, family_ref: str | None = None, skip: frozenset[int] = frozenset()):
    """Each family the job worked out (identified, not attached; not those in `skip`), by
    reference, with the job's suggestions and its confirmed criteria: a chunk at a time."""
    after = ""
    while rows := chunk_after(after, family_ref):
        after = rows[-1][1]
        rows = [row for row in rows if row[0] not in skip]
        if not rows:
            continue
        ids = [row[0] for row in rows]
        suggested: dict[int, dict[str, tuple[str, list[str]]]] = {}
        query = select(
            IdentificationSuggestion.family_id,
            IdentificationSuggestion.code,
            IdentificationSuggestion.kind,
            IdentificationSuggestion.evidence,
        ).where(among(IdentificationSuggestion.family_id, ids), IdentificationSuggestion.job_id == job_id)
        for family_id, code, kind, evidence in db.session.execute(query):
            suggested.setdefault(family_id, {})[code] = (kind, list(evidence))
        confirmed: dict[int, list[tuple[str, str]]] = {}
        query = select(FamilyCriterion.family_id, FamilyCriterion.kind, FamilyCriterion.code).where(
            among(FamilyCriterion.family_id, ids),
            (FamilyCriterion.source != FROM_EVIDENCE) | FamilyCriterion.confirmed_at.is_not(None),
        )
        for family_id, kind, code in db.session.execute(query):
            confirmed.setdefault(family_id, []).append((kind, code))
        evidenced = _with_evidence(ids)
        for family_id, reference, programme, _ in rows:
            yield Identified(
                reference,
                programme,
                suggested.get(family_id, {}),
                sorted(confirmed.get(family_id, [])),
                family_id in evidenced,
            )
