"""The job that removes the personal data of families closed longer than the retention period."""

from tff.jobs.celery import job_task
from tff.privacy.retention import JOB_KIND, anonymise, job_user


@job_task(JOB_KIND)
def remove_closed_families_data(job):
    return anonymise(job, user_id=job_user(job))
