"""Evaluating the cohort: a job that cuts the attached families into chunks, and any number of
workers that claim the chunks one at a time, decide them and store the decisions.

The job itself works through the chunks, so one worker (or the command line, with none) is
enough; it also asks `helpers` more workers to take part, and they share the chunks through
the database. A chunk is claimed with a conditional update, so two workers never decide the
same chunk; its decisions and its "done" go in one transaction; a claim whose worker has
gone quiet is claimed again.
"""

import os
import socket
import time
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import and_, func, insert, or_, select, update

from tff.cases.models import Family
from tff.claims import evidence as claim_evidence
from tff.extensions import db
from tff.jobs.operations import JobError, start
from tff.outcomes import loader, undecided
from tff.outcomes.models import CLAIMED, DONE, PENDING, Evaluation, EvaluationChunk, OutcomeDecision, UndecidedFamily
from tff.timeutil import utcnow

JOB_KIND = "outcomes.evaluate"
SHARE_TASK = "tff.outcomes.share"
#: a claimed chunk not done after this long is claimed again (its worker is taken to be gone)
CLAIM_STALE_AFTER = timedelta(minutes=2)
#: seconds between looks while other workers finish their chunks
WAIT = 0.5


class NoResults(Exception):
    """The family named cannot be evaluated: the message says why."""


def create(as_of: date, family_ref: str | None = None, user=None) -> Evaluation:
    """Record an evaluation (of every attached family, or one), committed."""
    if family_ref is not None:
        family = db.session.scalar(select(Family).where(Family.reference == family_ref.strip()))
        if family is None:
            raise NoResults(f"There is no family with the reference {family_ref.strip()!r}.")
        if family.attached_on is None:
            raise NoResults(f"Family {family.reference} is not attached, so it has no results yet.")
        if not loader.has_results_after_attachment(family.attached_on, as_of):
            raise NoResults(f"Family {family.reference} was {loader.attached_after(family.attached_on, as_of)}.")
        if family.programme != loader.RULE_SET:
            rules = loader.rule_sets()
            if rules.plan_for(family.programme, family.attached_on, family.outcome_plan) is None:
                why = loader.no_plan_reason(rules, family.programme, family.attached_on, family.outcome_plan)
                raise NoResults(f"Family {family.reference} has no results: {why}.")
        family_ref = family.reference
    evaluation = Evaluation(as_of=as_of, family_ref=family_ref, started_by_id=user.id if user is not None else None)
    db.session.add(evaluation)
    db.session.commit()
    return evaluation


def title(evaluation: Evaluation) -> str:
    who = f"family {evaluation.family_ref}" if evaluation.family_ref else "every attached family"
    return f"Decide the results of {who} as of {evaluation.as_of:%-d %B %Y}"


def start_evaluation(evaluation: Evaluation, user=None, queue: bool = True, helpers: int = 0):
    """Start the evaluation's job: on a worker (with `helpers` more asked to share it), or here."""
    evaluation_id = evaluation.id
    params = {"evaluation_id": evaluation_id, "helpers": helpers if queue else 0}
    job = start(JOB_KIND, title(evaluation), params, user=user, queue=queue)
    link_job(evaluation_id, job.id)
    return job


def link_job(evaluation_id: int, job_id: int) -> None:
    db.session.execute(update(Evaluation).where(Evaluation.id == evaluation_id).values(job_id=job_id))
    db.session.commit()


# --- the job ----------------------------------------------------------------------------------


def run_evaluation(job, evaluation_id: int, helpers: int = 0) -> dict:
    families, decisions = decide_all(job, evaluation_id, helpers)
    as_of = db.session.scalar(select(Evaluation.as_of).where(Evaluation.id == evaluation_id))
    left_out = undecided_count(evaluation_id)
    unmeasured = unmeasured_count(evaluation_id, families)
    return {
        "message": f"Decided the results of {families - left_out - unmeasured:,} families as of {as_of:%-d %B %Y} "
        f"({decisions:,} decisions){unmeasured_note(unmeasured)}{undecided_note(left_out)}",
        "evaluation_id": evaluation_id,
        "families": families,
        "decisions": decisions,
        "undecided": left_out,
        "unmeasured": unmeasured,
    }


def unmeasured_count(evaluation_id: int, families: int | None = None) -> int:
    """How many families of a finished evaluation no adopted outcome plan measures: those it
    looked at (`families`, attached by the as-of date) with neither a decision nor a reason
    they could not be decided."""
    if families is None:
        families = db.session.scalar(select(Evaluation.families).where(Evaluation.id == evaluation_id)) or 0
    decided = db.session.scalar(
        select(func.count(func.distinct(OutcomeDecision.family_id))).where(
            OutcomeDecision.evaluation_id == evaluation_id
        )
    )
    return max(0, families - decided - undecided_count(evaluation_id))


def unmeasured_note(count: int) -> str:
    """`; 2 families measured by no outcome plan`, for a job's message (nothing when none)."""
    if not count:
        return ""
    return f"; {count:,} {'family' if count == 1 else 'families'} measured by no outcome plan"


def unmeasured_families(evaluation: Evaluation, families=None, limit: int = 200) -> list[tuple[str, str]]:
    """The families the evaluation looked at that no adopted outcome plan measures, as
    (reference, why), by reference, at most `limit`; only those among `families` (a query of
    families, like `visible_families(user)`) when it is given. They have no results: this
    says why, so that a manager can adopt the plan they need."""
    decided = select(OutcomeDecision.id).where(
        OutcomeDecision.evaluation_id == evaluation.id, OutcomeDecision.family_id == Family.id
    )
    left_out = select(UndecidedFamily.id).where(
        UndecidedFamily.evaluation_id == evaluation.id, UndecidedFamily.family_id == Family.id
    )
    query = select(Family.reference, Family.programme, Family.attached_on, Family.outcome_plan).where(
        loader.in_scope(evaluation.as_of),
        Family.programme != loader.RULE_SET,
        ~decided.exists(),
        ~left_out.exists(),
    )
    if evaluation.family_ref:
        query = query.where(Family.reference == evaluation.family_ref)
    if families is not None:
        query = query.where(Family.id.in_(families.with_only_columns(Family.id)))
    rows = db.session.execute(query.order_by(Family.reference).limit(limit)).all()
    rules = loader.rule_sets() if rows else None
    listed = []
    for reference, programme, attached_on, chosen in rows:
        if rules.plan_for(programme, attached_on, chosen) is None:
            why = loader.no_plan_reason(rules, programme, attached_on, chosen)
        else:
            why = "no adopted outcome plan measured it when these results were decided; decide them again"
        listed.append((reference, why))
    return listed


def undecided_count(evaluation_id: int) -> int:
    """How many families the evaluation could not decide."""
    query = select(func.count()).where(UndecidedFamily.evaluation_id == evaluation_id)
    return db.session.scalar(query)


def undecided_note(count: int) -> str:
    """`; 2 families could not be decided`, for a job's message (nothing when none)."""
    if not count:
        return ""
    return f"; {count:,} {'family' if count == 1 else 'families'} could not be decided"


def decide_all(job, evaluation_id: int, helpers: int = 0) -> tuple[int, int]:
    """Decide every chunk of the evaluation (with `helpers` more workers asked to share them),
    mark it finished, and return (families, decisions)."""
    evaluation = db.session.get(Evaluation, evaluation_id)
    if evaluation is None or evaluation.finished:
        raise JobError("This evaluation has been run already; start a new one.")
    link_job(evaluation_id, job.id)
    job.progress(0, None, "Cutting the cohort into chunks", unit="families")
    total = _plan(evaluation)
    job.progress(0, total, f"Deciding the results of {total:,} families", unit="families")
    for _ in range(helpers):
        try:
            current_app.extensions["celery"].send_task(SHARE_TASK, args=[evaluation_id])
        except Exception:  # noqa: BLE001 - without helpers the job does every chunk itself
            current_app.logger.warning("could not ask a helper to share evaluation %s", evaluation_id)
            break
    while True:
        if _work(evaluation_id, job=job, total=total):
            continue
        if _left(evaluation_id) == 0:
            break
        time.sleep(WAIT)  # other workers are deciding the last chunks
    decisions = db.session.scalar(
        select(func.count()).select_from(OutcomeDecision).where(OutcomeDecision.evaluation_id == evaluation_id)
    )
    values = {"families": total, "decisions": decisions, "finished_at": utcnow()}
    db.session.execute(update(Evaluation).where(Evaluation.id == evaluation_id).values(**values))
    db.session.commit()
    return total, decisions


def share(evaluation_id: int) -> None:
    """A helper's part: decide chunks of the evaluation until none is left to claim."""
    while _work(evaluation_id):
        pass


def _plan(evaluation: Evaluation) -> int:
    """Cut the families to decide into chunks of references; returns how many families."""
    if evaluation.family_ref:
        chunks = [(evaluation.family_ref, evaluation.family_ref, 1)]
    else:
        chunks, after = [], ""
        while refs := [ref for _, ref in loader.attached_families(after=after, as_of=evaluation.as_of)]:
            chunks.append((refs[0], refs[-1], len(refs)))
            after = refs[-1]
    rows = [
        {"evaluation_id": evaluation.id, "seq": seq, "first_ref": first, "last_ref": last, "families": n}
        for seq, (first, last, n) in enumerate(chunks)
    ]
    if rows:
        db.session.execute(insert(EvaluationChunk), rows)
    db.session.commit()
    return sum(n for *_, n in chunks)


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _claimable(evaluation_id: int):
    stale = utcnow() - CLAIM_STALE_AFTER
    return and_(
        EvaluationChunk.evaluation_id == evaluation_id,
        or_(
            EvaluationChunk.state == PENDING, and_(EvaluationChunk.state == CLAIMED, EvaluationChunk.claimed_at < stale)
        ),
    )


def _claim(evaluation_id: int) -> EvaluationChunk | None:
    """The next chunk, claimed for this worker; None when every chunk is claimed or done."""
    me = _worker()
    while True:
        candidate = db.session.execute(
            select(EvaluationChunk.id, EvaluationChunk.state, EvaluationChunk.claimed_at)
            .where(_claimable(evaluation_id))
            .order_by(EvaluationChunk.seq)
            .limit(1)
        ).first()
        if candidate is None:
            db.session.commit()
            return None
        chunk_id, state, claimed_at = candidate
        column = EvaluationChunk.claimed_at
        unchanged = column.is_(None) if claimed_at is None else column == claimed_at
        # Only if nobody claimed it since it was read: two workers never both win.
        won = db.session.execute(
            update(EvaluationChunk)
            .where(EvaluationChunk.id == chunk_id, EvaluationChunk.state == state, unchanged)
            .values(state=CLAIMED, claimed_by=me, claimed_at=utcnow())
            .execution_options(synchronize_session=False, preserve_rowcount=True)
        ).rowcount
        db.session.commit()
        if won:
            return db.session.get(EvaluationChunk, chunk_id)


def _work(evaluation_id: int, job=None, total: int = 0) -> bool:
    """Claim, decide and store one chunk; False when there was none to claim."""
    chunk = _claim(evaluation_id)
    if chunk is None:
        return False
    chunk_id, first, last, me = chunk.id, chunk.first_ref, chunk.last_ref, chunk.claimed_by
    as_of, window_id = db.session.execute(
        select(Evaluation.as_of, Evaluation.window_id).where(Evaluation.id == evaluation_id)
    ).one()
    family_ids = list(
        db.session.scalars(select(Family.id).where(Family.reference.between(first, last), loader.in_scope(as_of)))
    )
    rows, undecided_here = [], []
    every = loader.decide_each(family_ids, as_of, loader.rule_sets(), window_id)
    for decided in every:
        if decided.undecided is not None:
            facts = decided.facts
            undecided_here.append(undecided.Undecided(facts.family_id, facts.family_ref, decided.undecided))
        for d in decided.decisions:
            rows.append(
                {
                    "evaluation_id": evaluation_id,
                    "family_id": decided.facts.family_id,
                    "family_ref": d.family_ref,
                    "rule_set": d.rule_set,
                    "outcome": d.outcome,
                    "met": d.met,
                    "claimable": d.claimable,
                    "amount": d.amount,
                    "at_stake": decided.at_stake.get(d.outcome),
                    "reasons": d.reasons,
                    "missing": d.missing,
                    "near_miss": d.near_miss,
                }
            )
    if rows:
        db.session.execute(insert(OutcomeDecision.__table__), rows)
    if window_id is not None:
        # a claim window's: what each claimable result was decided on, kept for a spot check
        claim_evidence.keep(evaluation_id, as_of, every)
    job_id = db.session.scalar(select(Evaluation.job_id).where(Evaluation.id == evaluation_id))
    undecided.record(undecided_here, evaluation_id=evaluation_id, job_id=job_id)
    done = db.session.execute(
        update(EvaluationChunk)
        .where(EvaluationChunk.id == chunk_id, EvaluationChunk.state == CLAIMED, EvaluationChunk.claimed_by == me)
        .values(state=DONE)
        .execution_options(synchronize_session=False, preserve_rowcount=True)
    ).rowcount
    if not done:  # taken for gone, and claimed again by another worker: theirs stands
        db.session.rollback()
        return True
    db.session.commit()
    if job is not None:
        decided = db.session.scalar(
            select(func.coalesce(func.sum(EvaluationChunk.families), 0)).where(
                EvaluationChunk.evaluation_id == evaluation_id, EvaluationChunk.state == DONE
            )
        )
        job.progress(decided, total, f"Decided {decided:,} of {total:,} families")
    return True


def _left(evaluation_id: int) -> int:
    """Chunks not done yet."""
    query = select(func.count()).where(EvaluationChunk.evaluation_id == evaluation_id, EvaluationChunk.state != DONE)
    count = db.session.scalar(query)
    db.session.commit()
    return count


# --- reading an evaluation --------------------------------------------------------------------


def decisions_query(evaluation_id: int):
    """The evaluation's decisions in the order of `flask outcomes --json`."""
    return (
        select(OutcomeDecision)
        .where(OutcomeDecision.evaluation_id == evaluation_id)
        .order_by(OutcomeDecision.family_ref, OutcomeDecision.outcome)
    )
