"""One evaluation shared by two real processes: a Celery worker that was asked to help, and
this test's own process deciding chunks beside it. Every family is decided once, by one of
them, and both took part."""

import time
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.test_claims_worker import _attach
from tff.extensions import db
from tff.outcomes import evaluation as evaluations
from tff.outcomes.models import DONE, EvaluationChunk, OutcomeDecision

pytestmark = pytest.mark.services

FAMILIES = 300
#: small chunks: many of them, so both processes get some
CHUNK = 3


def test_two_processes_share_one_evaluation_and_decide_each_family_once(stack, workers):
    app, env = stack({"TFF_OUTCOMES_CHUNK": str(CHUNK)}, OUTCOMES_CHUNK=CHUNK)
    _attach(app, 1, FAMILIES)
    worker = workers(env)
    with app.app_context():
        evaluation = evaluations.create(date(2013, 7, 31))
        evaluation_id = evaluation.id
        total = evaluations._plan(evaluation)
        assert total == FAMILIES
        # Ask a worker to help, as the evaluation job does, and wait until it has taken a chunk.
        app.extensions["celery"].send_task(evaluations.SHARE_TASK, args=[evaluation_id])
        deadline = time.monotonic() + 30
        while not db.session.scalar(
            select(func.count()).where(
                EvaluationChunk.evaluation_id == evaluation_id, EvaluationChunk.claimed_by.is_not(None)
            )
        ):
            db.session.commit()
            assert worker.process.poll() is None, worker.output()
            assert time.monotonic() < deadline, f"the worker took no chunk\n{worker.output()}"
            time.sleep(0.05)
        # This process shares the rest, then waits for the worker's last chunk.
        evaluations.share(evaluation_id)
        deadline = time.monotonic() + 30
        while evaluations._left(evaluation_id):
            assert time.monotonic() < deadline, worker.output()
            time.sleep(0.1)
        chunks = db.session.execute(
            select(EvaluationChunk.claimed_by, func.count())
            .where(EvaluationChunk.evaluation_id == evaluation_id)
            .group_by(EvaluationChunk.claimed_by)
        ).all()
        states = set(
            db.session.scalars(select(EvaluationChunk.state).where(EvaluationChunk.evaluation_id == evaluation_id))
        )
        decided = db.session.execute(
            select(func.count(), func.count(func.distinct(OutcomeDecision.family_id))).where(
                OutcomeDecision.evaluation_id == evaluation_id
            )
        ).one()
    assert states == {DONE}
    assert len(chunks) == 2, f"both processes took chunks: {chunks}"
    assert tuple(decided) == (3 * FAMILIES, FAMILIES)  # three results a family, each decided once
