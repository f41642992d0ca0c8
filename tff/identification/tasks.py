"""The job that works out the cohort's suggested criteria."""

from tff.identification.job import JOB_KIND, run
from tff.jobs.celery import job_task


@job_task(JOB_KIND)
def suggest_criteria(job, as_of: str, family_ref: str | None = None):
    return run(job, as_of, family_ref)
