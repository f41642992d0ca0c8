"""The evaluation job, and the task by which more workers share an evaluation's chunks."""

from celery import shared_task

from tff.jobs.celery import job_task
from tff.outcomes.evaluation import JOB_KIND, SHARE_TASK, run_evaluation, share


@job_task(JOB_KIND)
def evaluate_cohort(job, evaluation_id: int, helpers: int = 0):
    return run_evaluation(job, evaluation_id, helpers)


@shared_task(name=SHARE_TASK, ignore_result=True)
def share_evaluation(evaluation_id: int) -> None:
    share(evaluation_id)
