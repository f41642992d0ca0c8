"""Working out the suggested criteria of the cohort's identified families not yet attached.

Target: on a 100,000-family cohort (with about 20,000 identified and not attached), the job
in under 60 seconds on 2 cores, on SQLite and on PostgreSQL, memory under 1 GB; the
suggestions of one family worked out again in under a second, both as new evidence of its
members does it (`work_out_again`, what an import and evidence recorded by hand call) and as
`flask identify --family` does (a job of one family).

The date is one every family of the cohort was identified by, on which every programme has a
plan in force (the shipped plans, adopted from their programme's start): the end of
Supporting Families' 2024-25 year, as a council running all three would choose. On an earlier
date the families identified later (phase two from 2015, Supporting Families from 2022) would
be judged before they were identified, by no plan.
"""

import re
import resource
import time
from collections import Counter
from datetime import date

from sqlalchemy import func, select

from bench.cohort import WAITING_EVERY, keep_waiting, say
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
AS_OF = date(2025, 3, 31)
#: reasons a family could not be worked out, shown with how many families each
REASONS_SHOWN = 5


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reason_kind(reason: str) -> str:
    """A reason without the family's own dates and references, so that alike reasons add up."""
    return re.sub(r"\d{4}-\d{2}-\d{2}", "DATE", re.sub(r"\b[A-Z]\d{3,}\S*", "REF", reason))


def _waiting_by_programme() -> dict[str, int]:
    query = select(Family.programme, func.count()).where(identification.not_attached()).group_by(Family.programme)
    return dict(db.session.execute(query).all())


def run(app, families: int) -> dict:
    load_evidence(app, families)
    changed = keep_waiting(app, families)
    if changed:
        say(f"identify: {changed:,} families kept identified and not attached (one in {WAITING_EVERY} attached)")
    with app.app_context():
        if missing_shipped():
            store_shipped(None)  # phase two and Supporting Families families are suggested their problems
        cohort = db.session.scalar(select(func.count()).select_from(Family))
        waiting = _waiting_by_programme()
        say(f"identify: working out the suggestions of {sum(waiting.values()):,} families as of {AS_OF} ...")
        before_mb = _peak_mb()
        started = time.perf_counter()
        job = start(identification.JOB_KIND, identification.title(AS_OF), {"as_of": AS_OF.isoformat()}, queue=False)
        seconds = time.perf_counter() - started
        peak_mb = _peak_mb()
        assert job.state == "succeeded", (job.state, job.message, job.error)
        result = job.result
        say(f"  {result['families']:,} families, {result['suggestions']:,} suggestions in {seconds:.1f}s")
        reasons = Counter(_reason_kind(f.reason) for f in identification.left_out(job.id))

        # One family with suggestions, as new evidence of its members has it worked out again.
        one_id, one = db.session.execute(
            select(Family.id, Family.reference)
            .where(identification.not_attached(), Family.id.in_(select(IdentificationSuggestion.family_id)))
            .order_by(Family.reference)
            .limit(1)
        ).one()
        db.session.commit()
        started = time.perf_counter()
        again = identification.work_out_again([one_id])
        again_seconds = time.perf_counter() - started
        assert again.families == 1 and not again.problem, again

        started = time.perf_counter()
        single = start(
            identification.JOB_KIND,
            identification.title(AS_OF, one),
            {"as_of": AS_OF.isoformat(), "family_ref": one},
            queue=False,
        )
        one_seconds = time.perf_counter() - started
        assert single.state == "succeeded", (single.state, single.message, single.error)
        stored = db.session.scalar(select(func.count()).select_from(IdentificationSuggestion))
        with_suggestions = db.session.scalar(select(func.count(func.distinct(IdentificationSuggestion.family_id))))
    return {
        "cohort": cohort,
        "waiting": waiting,
        "families": result["families"],
        "suggestions": stored,
        "with_suggestions": with_suggestions,
        "undecided": result["undecided"],
        "reasons": reasons.most_common(REASONS_SHOWN),
        "seconds": seconds,
        "peak_mb": peak_mb,
        "before_mb": before_mb,
        "again_seconds": again_seconds,
        "one_seconds": one_seconds,
        "one": one,
    }


def report(r: dict, backend: str) -> bool:
    fast = r["seconds"] < TARGET_SECONDS
    small = r["peak_mb"] < TARGET_MB
    again_fast = r["again_seconds"] < ONE_FAMILY_SECONDS
    one_fast = r["one_seconds"] < ONE_FAMILY_SECONDS
    rate = r["families"] / r["seconds"] if r["seconds"] else 0
    waiting = ", ".join(f"{programme} {n:,}" for programme, n in sorted(r["waiting"].items()))
    print(
        f"\nIdentification on {backend}: a {r['cohort']:,}-family cohort, {sum(r['waiting'].values()):,} identified "
        f"and not attached ({waiting}), as of {AS_OF:%-d %B %Y}\n"
        f"(targets: the cohort < {TARGET_SECONDS}s and peak memory < {TARGET_MB:,} MB; one family < "
        f"{ONE_FAMILY_SECONDS}s)"
    )
    print(f"{'work':42} {'families':>9} {'seconds':>9} {'families/s':>11} {'peak MB':>8}")
    print(
        f"{'suggestions of the cohort':42} {r['families']:9,} {r['seconds']:9.1f} {rate:11,.0f} "
        f"{r['peak_mb']:8.0f}  {'ok' if fast and small else 'SLOW' if not fast else 'TOO BIG'}"
    )
    print(
        f"{'one family again, after new evidence':42} {1:9,} {r['again_seconds']:9.3f} {'':11} {'':8}  "
        f"{'ok' if again_fast else 'SLOW'}"
    )
    print(
        f"{'one family, as identify --family':42} {1:9,} {r['one_seconds']:9.3f} {'':11} {'':8}  "
        f"{'ok' if one_fast else 'SLOW'}"
    )
    print(
        f"\n{r['suggestions']:,} suggestions made, for {r['with_suggestions']:,} families; peak memory (RSS) "
        f"{r['peak_mb']:.0f} MB ({r['before_mb']:.0f} MB before the job); one family: {r['one']}"
    )
    print(f"{r['undecided']:,} families could not be worked out")
    for reason, count in r["reasons"]:
        print(f"  {count:7,}  {reason}")
    return fast and small and again_fast and one_fast
