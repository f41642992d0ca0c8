"""The job that assembles a claim window's draft batch."""

from tff.claims.operations import JOB_KIND, run_assembly
from tff.jobs.celery import job_task


@job_task(JOB_KIND)
def assemble_claim(job, window_id: int, helpers: int = 0):
    return run_assembly(job, window_id, helpers)
