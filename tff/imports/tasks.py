"""The import job: one job kind for every format; the run it is given names the format."""

from tff.imports.operations import JOB_KIND, run_import
from tff.jobs.celery import job_task


@job_task(JOB_KIND)
def import_file(job, run_id: int):
    return run_import(job, run_id)
