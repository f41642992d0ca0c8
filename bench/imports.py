"""Imports of a cohort's five files: rows per second, first import and re-import.

Target (issue: evidence imports): a 100,000-family cohort's evidence, about 5 million rows,
at 50,000 rows a second or better on SQLite, PostgreSQL at least as fast, memory flat in the
file size. This measures a smaller cohort (rows per second does not depend on it) in a fresh
database each run.
"""

import resource
import tempfile
import time
from pathlib import Path

import flask_migrate

from bench.cohort import say
from tff.auth.operations import create_user
from tff.demo.tasks import IMPORTED, write_cohort
from tff.extensions import db
from tff.imports.models import ImportRun
from tff.imports.operations import create_run, start_import

TARGET_ROWS_PER_SECOND = 50_000


class _Quiet:
    """Progress goes nowhere: the benchmark times the import, not the cohort's making."""

    def progress(self, *args, **kwargs):
        pass


def run(app, families: int) -> list[tuple[str, int, float, float]]:
    """(file, rows, seconds, peak memory MB) for each file, then each again."""
    folder = Path(tempfile.mkdtemp(prefix="tff-bench-imports-"))
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        emails = []
        for n in range(1, 41):
            user = create_user(f"import-worker-{n}@example.org", f"Worker {n}", "lead_worker", "bench-password-1")
            emails.append(user.email)
        say(f"imports: writing a {families:,}-family cohort's five files ...")
        write_cohort(_Quiet(), folder, families, seed=2015, lead_worker_emails=emails)
        results = []
        for attempt in ("first", "again"):
            for kind in IMPORTED:
                path = folder / f"{kind}.csv"
                started = time.perf_counter()
                with path.open("rb") as stream:
                    run_ = create_run(kind, path.name, stream)
                job = start_import(run_, queue=False)
                seconds = time.perf_counter() - started
                run_ = db.session.get(ImportRun, run_.id)
                assert job.state == "succeeded", job.message
                assert run_.rejected == 0 and run_.unmatched == 0, (kind, run_.rejected, run_.unmatched)
                peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                results.append((f"{kind} ({attempt})", run_.accepted, seconds, peak_mb))
                say(f"  {kind} {attempt}: {run_.accepted:,} rows in {seconds:.1f}s")
    return results


def report(rows, backend: str) -> bool:
    """Each file's figures; the target is the cohort's evidence as a whole (its three files
    one after the other, as a council imports them), first and again."""
    print(f"\nImports on {backend}: rows per second (target {TARGET_ROWS_PER_SECOND:,} for the evidence); peak memory")
    print(f"{'file':24} {'rows':>10} {'seconds':>9} {'rows/s':>9} {'peak MB':>8}")
    evidence: dict[str, list[int | float]] = {}
    for name, count, seconds, peak in rows:
        rate = count / seconds if seconds else 0
        print(f"{name:24} {count:10,} {seconds:9.1f} {rate:9,.0f} {peak:8.0f}")
        if not name.startswith(("families", "members")):
            attempt = name.split("(")[-1].rstrip(")")
            totals = evidence.setdefault(attempt, [0, 0.0])
            totals[0] += count
            totals[1] += seconds
    ok = True
    for attempt, (count, seconds) in evidence.items():
        rate = count / seconds if seconds else 0
        met = rate >= TARGET_ROWS_PER_SECOND
        ok &= met
        label = f"evidence ({attempt})"
        print(f"{label:24} {count:10,} {seconds:9.1f} {rate:9,.0f} {'':8}  {'ok' if met else 'SLOW'}")
    return ok
