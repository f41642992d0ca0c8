"""Assembling a claim window's draft over the bench cohort: the whole job, in-process.

Target: a 100,000-family cohort, about 50 evidence rows per family (bench/outcomes.py's),
assembled as of 31 March 2014 (every attached family decided, then the draft's lines written
in one transaction) in under 90 seconds.
"""

import time
from datetime import date

from sqlalchemy import delete, func, select

from bench.cohort import say
from bench.outcomes import _evidence_rows, _peak_mb, load_evidence
from tff.cases.models import Family
from tff.claims.models import ClaimBatch, ClaimLine, ClaimWindow
from tff.claims.operations import create_window, start_assembly
from tff.extensions import db
from tff.outcomes.plan_versions.operations import store_shipped

TARGET_SECONDS = 90
AS_OF = date(2014, 3, 31)
#: the bench's windows are named so, with the time they were made
PREFIX = "bench-"


def _forget_earlier_runs() -> None:
    """Empty the drafts of the windows earlier runs made in the kept cohort: another window's
    draft counts as claimed, so they would leave this run nothing to claim."""
    earlier = select(ClaimBatch.id).join(ClaimWindow).where(ClaimWindow.name.startswith(PREFIX))
    gone = db.session.execute(delete(ClaimLine).where(ClaimLine.batch_id.in_(earlier))).rowcount
    db.session.commit()
    if gone:
        say(f"claims: emptied {gone:,} draft lines of earlier bench windows")


def run(app, families: int) -> dict:
    load_evidence(app, families)
    with app.app_context():
        cohort = db.session.scalar(select(func.count()).select_from(Family))
        evidence = _evidence_rows()
        store_shipped(None)  # phase two and Supporting Families families are decided against them
        _forget_earlier_runs()
        window = create_window(f"{PREFIX}{time.strftime('%Y%m%d-%H%M%S')}", AS_OF, sample_percent=10)
        attached = db.session.scalar(select(func.count()).where(Family.attached_on.is_not(None)))
        say(f"claims: assembling window {window.name} over {attached:,} attached families as of {AS_OF} ...")
        before_mb = _peak_mb()
        started = time.perf_counter()
        job = start_assembly(window, queue=False)
        seconds = time.perf_counter() - started
        peak_mb = _peak_mb()
        assert job.state == "succeeded", (job.state, job.message, job.error)
        result = job.result
        lines, amount = db.session.execute(
            select(func.count(), func.coalesce(func.sum(ClaimLine.amount), 0)).where(
                ClaimLine.batch_id == window.batch.id
            )
        ).one()
        assert (lines, amount) == (result["lines"], result["amount"]), (lines, amount, result)
        say(f"  {job.message} in {seconds:.1f}s")
    return {
        "cohort": cohort,
        "evidence": evidence,
        "families": result["families"],
        "lines": lines,
        "amount": amount,
        "seconds": seconds,
        "peak_mb": peak_mb,
        "before_mb": before_mb,
    }


def report(r: dict, backend: str) -> bool:
    fast = r["seconds"] < TARGET_SECONDS
    print(
        f"\nClaim assembly on {backend}: a {r['cohort']:,}-family cohort, {r['evidence']:,} evidence rows, "
        f"as of {AS_OF:%-d %B %Y} (target < {TARGET_SECONDS}s)"
    )
    print(f"{'assembly':34} {'families':>9} {'lines':>8} {'£ total':>14} {'seconds':>9} {'peak MB':>8}")
    print(
        f"{'whole job, in-process':34} {r['families']:9,} {r['lines']:8,} {r['amount']:14,} {r['seconds']:9.1f} "
        f"{r['peak_mb']:8.0f}  {'ok' if fast else 'SLOW'}"
    )
    print(f"\npeak memory {r['peak_mb']:.0f} MB ({r['before_mb']:.0f} MB before the assembly)")
    return fast
