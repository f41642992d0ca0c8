"""Evaluating the cohort: chunks claimed by whichever worker comes, every family decided once,
and a chunk whose worker went quiet decided again by another."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from tests.helpers import Maker
from tests.test_outcomes_cli import _example_one
from tff.extensions import db
from tff.jobs.models import SUCCEEDED
from tff.outcomes import evaluation as evaluations
from tff.outcomes.models import CLAIMED, DONE, EvaluationChunk, OutcomeDecision
from tff.timeutil import utcnow


@pytest.fixture
def cohort(clean, monkeypatch):
    """Five attached phase one families (worked example 1), an unattached one and a phase two
    one, cut into chunks of two."""
    monkeypatch.setitem(clean.config, "OUTCOMES_CHUNK", 2)
    for n in range(1, 6):
        _example_one(clean, f"F{n:03d}")
    Maker(clean).family("F900")
    Maker(clean).family("F901", programme="phase2", status="attached", attached_on=date(2015, 6, 1))
    return clean


def _decisions(app, evaluation_id):
    with app.app_context():
        rows = db.session.execute(
            select(OutcomeDecision.family_ref, OutcomeDecision.outcome, OutcomeDecision.met, OutcomeDecision.at_stake)
            .where(OutcomeDecision.evaluation_id == evaluation_id)
            .order_by(OutcomeDecision.family_ref, OutcomeDecision.outcome)
        ).all()
        return [tuple(r) for r in rows]


def test_the_job_decides_every_attached_family_once_in_chunks(cohort):
    with cohort.app_context():
        evaluation = evaluations.create(date(2013, 7, 31))
        job = evaluations.start_evaluation(evaluation, queue=False)
        assert job.state == SUCCEEDED, job.message
        # Five phase one families, three results each; the phase two family was attached
        # after the as-of date, so it has no results as of it and is not among the families.
        assert job.result["families"] == 5 and job.result["decisions"] == 15
        assert (job.done, job.total, job.unit) == (5, 5, "families")
        chunks = db.session.scalars(select(EvaluationChunk).order_by(EvaluationChunk.seq)).all()
        assert [(c.first_ref, c.last_ref, c.families, c.state) for c in chunks] == [
            ("F001", "F002", 2, DONE),
            ("F003", "F004", 2, DONE),
            ("F005", "F005", 1, DONE),
        ]
        evaluation_id = evaluation.id
    decisions = _decisions(cohort, evaluation_id)
    assert {ref for ref, *_ in decisions} == {"F001", "F002", "F003", "F004", "F005"}
    assert ("F001", "crime_asb_education", True, 700) in decisions
    assert ("F001", "continuous_employment", False, 800) in decisions


def test_a_chunk_another_worker_is_deciding_is_left_to_it_and_a_quiet_one_is_taken_back(cohort):
    with cohort.app_context():
        evaluation = evaluations.create(date(2013, 7, 31))
        evaluations._plan(evaluation)
        # Another worker claimed the first chunk just now, and the second long ago.
        first, second, third = db.session.scalars(select(EvaluationChunk).order_by(EvaluationChunk.seq)).all()
        long_ago = utcnow() - evaluations.CLAIM_STALE_AFTER - timedelta(seconds=1)
        db.session.execute(
            update(EvaluationChunk)
            .where(EvaluationChunk.id == first.id)
            .values(state=CLAIMED, claimed_by="other:1", claimed_at=utcnow())
        )
        db.session.execute(
            update(EvaluationChunk)
            .where(EvaluationChunk.id == second.id)
            .values(state=CLAIMED, claimed_by="gone:2", claimed_at=long_ago)
        )
        db.session.commit()
        evaluations.share(evaluation.id)
        states = dict(db.session.execute(select(EvaluationChunk.seq, EvaluationChunk.state)).all())
        assert states == {0: CLAIMED, 1: DONE, 2: DONE}
        families = db.session.scalars(
            select(func.count(func.distinct(OutcomeDecision.family_ref))).where(
                OutcomeDecision.evaluation_id == evaluation.id
            )
        ).one()
        assert families == 3  # F003, F004 and F005; F001 and F002 are the other worker's
        # The quiet worker comes back and finishes its chunk: it no longer holds it, so its
        # decisions are not kept twice.
        db.session.execute(
            update(EvaluationChunk).where(EvaluationChunk.id == second.id).values(state=CLAIMED, claimed_by="gone:2")
        )
        db.session.commit()
        assert evaluations._left(evaluation.id) == 2


def test_one_family_and_families_that_cannot_be_evaluated(cohort):
    with cohort.app_context():
        evaluation = evaluations.create(date(2013, 7, 31), "F003")
        job = evaluations.start_evaluation(evaluation, queue=False)
        assert job.state == SUCCEEDED and job.result["families"] == 1
        for reference, says in (("NOPE", "no family"), ("F900", "not attached")):
            with pytest.raises(evaluations.NoResults, match=says):
                evaluations.create(date(2013, 7, 31), reference)


def test_a_phase_two_family_is_decided_by_the_plan_in_force_when_it_was_attached(cohort):
    from tff.outcomes.plan_versions.operations import store_shipped

    with cohort.app_context():
        store_shipped(None)
        evaluation = evaluations.create(date(2016, 6, 30), "F901")
        assert evaluations.start_evaluation(evaluation, queue=False).state == SUCCEEDED
        rows = db.session.execute(
            select(OutcomeDecision.rule_set, OutcomeDecision.outcome, OutcomeDecision.at_stake).where(
                OutcomeDecision.evaluation_id == evaluation.id
            )
        ).all()
    assert sorted(rows) == [
        ("rotherham-2015 v1", "continuous_employment", 800),
        ("rotherham-2015 v1", "significant_sustained_progress", 800),
    ]
