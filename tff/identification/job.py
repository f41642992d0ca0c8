"""Working out the suggestions of the cohort: a job over every identified family not yet
attached (or one), in chunks of references read with the outcomes loader's set-based queries,
each chunk's suggestions replacing the families' earlier ones in one transaction.

A family that cannot be worked out (no plan measures it, a date the rules cannot measure
from, a plan's identify rule nobody can read) gets a reason instead (`undecided`, kept with
the job), and the job goes on with the others. A family with no members or no evidence is no
error: it simply has nothing suggested.

When new evidence of a family's members arrives (an import, evidence recorded by hand), its
suggestions are worked out again (`suggest_again`) as of the date they were worked out on
(`dates_again`), after the evidence is committed and apart from it.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, insert, select

from tff.cases.models import IDENTIFIED, Family, FamilyCriterion
from tff.cases.models.identification import FROM_EVIDENCE
from tff.evidence.models import AttendanceRecord, Event, Spell
from tff.evidence.settings import out_of_work_codes
from tff.extensions import db
from tff.identification import engine
from tff.identification.models import IdentificationSuggestion, RejectedCriterion
from tff.identification.settings import absence_setting
from tff.imports.kinds.base import among
from tff.jobs.models import SUCCEEDED, Job
from tff.jobs.operations import JobError
from tff.outcomes import loader, undecided
from tff.outcomes.models import UndecidedFamily
from tff.outcomes.plan_versions.measuring import AdoptedPlans, adopted_versions, measuring
from tff.outcomes.plans.document import FRAMEWORKS
from tff.timeutil import local, utcnow

log = logging.getLogger(__name__)

JOB_KIND = "identification.suggest"
#: families worked out a chunk, each chunk a few queries whatever its size
CHUNK = 2000


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


def settings() -> engine.Settings:
    return engine.Settings(frozenset(out_of_work_codes()), loader.calendar(), absence_setting())


@dataclass(frozen=True)
class Worked:
    families: int
    suggestions: int
    undecided: int


def chunk_after(
    after: str, family_ref: str | None = None, limit: int = CHUNK, lock: bool = False
) -> list[tuple[int, str, str, str | None]]:
    """The next chunk of families to work out, (id, reference, programme, outcome_plan), by
    reference; with `lock`, their rows locked until the transaction ends (see `_families`)."""
    query = select(Family.id, Family.reference, Family.programme, Family.outcome_plan).where(
        not_attached(), Family.reference > after
    )
    if family_ref is not None:
        query = query.where(Family.reference == family_ref)
    query = query.order_by(Family.reference).limit(limit)
    if lock:
        query = query.with_for_update()
    return [tuple(row) for row in db.session.execute(query)]


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


def work_out(
    rows, as_of: date, rules: engine.Settings, versions, job_id: int | None, reasons: list | None = None
) -> tuple[int, int]:
    """Work out the suggestions of these families (`chunk_after` rows) and replace their
    earlier ones, recording those that cannot be worked out with the job (in the caller's
    transaction; outside a job they are only added to `reasons`, when given); returns
    (suggestions, families left out)."""
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
    if job_id is not None:
        undecided.record(left_out, job_id=job_id)
    if reasons is not None:
        reasons += left_out
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
    while rows := chunk_after(after, family_ref, lock=True):
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


# --- working them out again when new evidence arrives ----------------------------------------


def _today() -> date:
    return local(utcnow()).date()


def dates_again(family_ids) -> dict[int, date]:
    """The date each family's suggestions are worked out again as of, when new evidence of its
    members arrives: the date its current suggestions were worked out as of (the latest, should
    there be several); for a family with none, the date of the latest identification job that
    finished; failing that, today.

    A coordinator chose the date of the run that suggested the family's criteria, and weighs
    them beside every other family's as of that date: a row of new evidence must change what
    the family is suggested on that date, never move the family to another date (today's, when
    the run was as of the end of a term) without anyone choosing it."""
    ids = list(family_ids)
    found: dict[int, date] = {}
    for start in range(0, len(ids), CHUNK):
        query = (
            select(IdentificationSuggestion.family_id, func.max(IdentificationSuggestion.as_of))
            .where(among(IdentificationSuggestion.family_id, ids[start : start + CHUNK]))
            .group_by(IdentificationSuggestion.family_id)
        )
        found.update(db.session.execute(query).all())
    missing = [family_id for family_id in ids if family_id not in found]
    if missing:
        query = (
            select(Job.params)
            .where(Job.kind == JOB_KIND, Job.state == SUCCEEDED)
            .order_by(Job.finished_at.desc(), Job.id.desc())
            .limit(1)
        )
        params = db.session.scalar(query) or {}
        try:
            day = date.fromisoformat(params["as_of"])
        except (KeyError, TypeError, ValueError):
            day = _today()
        found.update(dict.fromkeys(missing, day))
    return found


@dataclass(frozen=True)
class Again:
    """What working a few families' suggestions out again did: `problem` says why it could
    not be done, when it could not (then nothing of it was kept)."""

    #: families identified and not attached whose suggestions were worked out again
    families: int = 0
    suggestions: int = 0
    #: those of them that could not be worked out, each with why
    left_out: tuple[undecided.Undecided, ...] = ()
    problem: str | None = None

    def words(self) -> str:
        """What happened, for the person whose evidence caused it."""
        if self.problem:
            return f"the suggested criteria could not be worked out again: {self.problem}"
        which = "family" if self.families == 1 else "families"
        said = f"the suggested criteria of {self.families:,} {which} identified and not attached were worked out again"
        if self.left_out:
            n = len(self.left_out)
            said += f" ({n:,} {'family' if n == 1 else 'families'} could not be: {self.left_out[0].reason}"
            said += ", and others)" if n > 1 else ")"
        return said


def _families(ids: list[int]) -> list[tuple[int, str, str, str | None]]:
    """Those of these families identification is for, as `chunk_after` gives them, by
    reference, their rows locked until the transaction ends: a cohort job working out the
    same families at the same time waits (and then replaces these suggestions), so the two
    never leave both sets of suggestions behind."""
    query = (
        select(Family.id, Family.reference, Family.programme, Family.outcome_plan)
        .where(among(Family.id, ids), not_attached())
        .order_by(Family.reference)
        .with_for_update()
    )
    return [tuple(row) for row in db.session.execute(query)]


def work_out_again(family_ids, job_id: int | None = None) -> Again:
    """Work out again the suggestions of those of these families (ids) that are identified and
    not attached, each as of `dates_again`, in chunks, in one transaction of its own which it
    commits. Run after new evidence of their members is committed: it raises, and keeps
    nothing, when it fails (`suggest_again` is what callers use)."""
    ids = sorted(set(family_ids))
    if not ids:
        return Again()
    rules, versions = settings(), adopted_versions()
    families = suggestions = 0
    left: list[undecided.Undecided] = []
    for start in range(0, len(ids), CHUNK):
        rows = _families(ids[start : start + CHUNK])
        if not rows:
            continue
        dates = dates_again([row[0] for row in rows])
        by_date: dict[date, list] = defaultdict(list)
        for row in rows:
            by_date[dates[row[0]]].append(row)
        for day, same_day in sorted(by_date.items()):
            made, _ = work_out(same_day, day, rules, versions, job_id, reasons=left)
            suggestions += made
        families += len(rows)
    db.session.commit()
    return Again(families, suggestions, tuple(left))


def suggest_again(family_ids, job_id: int | None = None) -> Again:
    """`work_out_again`, run after the evidence is committed, that never fails the work that
    brought the evidence: a failure is logged, undone and said in the result."""
    try:
        return work_out_again(family_ids, job_id)
    except Exception as exc:  # noqa: BLE001 - the evidence is kept whatever happens here
        log.exception("the suggestions of %s families could not be worked out again", len(set(family_ids)))
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection is gone: the pool replaces it
            db.session.remove()
        return Again(problem=_problem(exc))


def _problem(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return f"an unexpected error ({text[:200]}); they are worked out again by the next identification run"


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


def with_evidence(ids: list[int]) -> set[int]:
    """Of these families, those with any member with any evidence."""
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
    reference, with the job's suggestions nobody rejected and its confirmed criteria: a chunk
    at a time."""
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
        # a suggestion a person rejected is answered: it is neither listed nor counted "if confirmed"
        rejected = {
            tuple(row)
            for row in db.session.execute(
                select(RejectedCriterion.family_id, RejectedCriterion.kind, RejectedCriterion.code).where(
                    among(RejectedCriterion.family_id, ids)
                )
            )
        }
        for family_id, code, kind, evidence in db.session.execute(query):
            if (family_id, kind, code) not in rejected:
                suggested.setdefault(family_id, {})[code] = (kind, list(evidence))
        confirmed: dict[int, list[tuple[str, str]]] = {}
        query = select(FamilyCriterion.family_id, FamilyCriterion.kind, FamilyCriterion.code).where(
            among(FamilyCriterion.family_id, ids),
            (FamilyCriterion.source != FROM_EVIDENCE) | FamilyCriterion.confirmed_at.is_not(None),
        )
        for family_id, kind, code in db.session.execute(query):
            confirmed.setdefault(family_id, []).append((kind, code))
        evidenced = with_evidence(ids)
        for family_id, reference, programme, _ in rows:
            yield Identified(
                reference,
                programme,
                suggested.get(family_id, {}),
                sorted(confirmed.get(family_id, [])),
                family_id in evidenced,
            )
