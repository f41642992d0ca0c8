"""The claims' jobs: assembling a window's draft batch, and packing its evidence."""

from tff.claims import packs
from tff.claims.operations import JOB_KIND, run_assembly
from tff.jobs.celery import job_task


@job_task(JOB_KIND)
def assemble_claim(job, window_id: int, helpers: int = 0):
    return run_assembly(job, window_id, helpers)


@job_task(packs.JOB_KIND)
def pack_evidence(job, window_id: int, which: str, spot_check_id: int | None = None):
    return packs.run_pack(job, window_id, which, spot_check_id)
