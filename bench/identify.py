"""Working out the suggested criteria of the cohort's identified families not yet attached.

Target: on a 100,000-family cohort (with about 20,000 identified and not attached), the job
in under 60 seconds on 2 cores, on SQLite and on PostgreSQL, memory under 1 GB; the
suggestions of one family worked out again in under a second.
"""

import resource
import time
from datetime import date

from sqlalchemy import func, select

from bench.cohort import say
from bench.outcomes import load_evidence
from tff.cases.models import Family
from tff.extensions import db
from tff.identification import job as identification
from tff.identification.models import IdentificationSuggestion
from tff.jobs.operations import start
from tff.outcomes.plan_versions.operations import missing_shipped, store_shipped

TARGET_SECONDS = 60
TARGET_MB = 1024
ONE_FAMILY_SECONDS = 1
AS_OF = date(2014, 3, 31)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(app, families: int) -> dict:
    load_evidence(app, families)
    with app.app_context():
        if missing_shipped():
            store_shipped(None)  # phase two and Supporting Families families are suggested their problems
        cohort = db.session.scalar(select(func.count()).select_from(Family))
        say("identify: working out the suggestions of the identified families not yet attached ...")
        before_mb = _peak_mb()
        started = time.perf_counter()
        job = start(identification.JOB_KIND, identification.title(AS_OF), {"as_of": AS_OF.isoformat()}, queue=False)
        seconds = time.perf_counter() - started
        peak_mb = _peak_mb()
        assert job.state == "succeeded", (job.state, job.message, job.error)
        result = job.result
        say(f"  {result['families']:,} families, {result['suggestions']:,} suggestions in {seconds:.1f}s")
        one = db.session.scalar(
            select(Family.reference).where(identification.not_attached()).order_by(Family.reference).limit(1)
        )
        started = time.perf_counter()
        again = start(
            identification.JOB_KIND,
            identification.title(AS_OF, one),
            {"as_of": AS_OF.isoformat(), "family_ref": one},
            queue=False,
        )
        one_seconds = time.perf_counter() - started
        assert again.state == "succeeded", (again.state, again.message, again.error)
        stored = db.session.scalar(select(func.count()).select_from(IdentificationSuggestion))
    return {
        "cohort": cohort,
        "families": result["families"],
        "suggestions": stored,
        "undecided": result["undecided"],
        "seconds": seconds,
        "peak_mb": peak_mb,
        "before_mb": before_mb,
        "one_seconds": one_seconds,
    }


def report(r: dict, backend: str) -> bool:
    fast = r["seconds"] < TARGET_SECONDS
    small = r["peak_mb"] < TARGET_MB
    one_fast = r["one_seconds"] < ONE_FAMILY_SECONDS
    rate = r["families"] / r["seconds"] if r["seconds"] else 0
    print(
        f"\nIdentification on {backend}: a {r['cohort']:,}-family cohort, as of {AS_OF:%-d %B %Y} "
        f"(target < {TARGET_SECONDS}s, peak memory < {TARGET_MB:,} MB; one family < {ONE_FAMILY_SECONDS}s)"
    )
    print(f"{'work':34} {'families':>9} {'seconds':>9} {'families/s':>11} {'peak MB':>8}")
    print(
        f"{'suggestions of the cohort':34} {r['families']:9,} {r['seconds']:9.1f} {rate:11,.0f} "
        f"{r['peak_mb']:8.0f}  {'ok' if fast and small else 'SLOW' if not fast else 'TOO BIG'}"
    )
    print(f"{'one family again':34} {1:9,} {r['one_seconds']:9.2f} {'':11} {'':8}  {'ok' if one_fast else 'SLOW'}")
    print(
        f"\n{r['suggestions']:,} suggestions stored; {r['undecided']:,} families could not be worked out; "
        f"peak memory {r['peak_mb']:.0f} MB ({r['before_mb']:.0f} MB before)"
    )
    return fast and small and one_fast
