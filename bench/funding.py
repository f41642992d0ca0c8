"""The funding dashboard's server time with a region's cohort and fifty submitted claims.

Target (issue: funding): under 300 ms with 100,000 families and 50 submitted windows. Runs
in a database of its own (the cohort's families, members and lead workers, then fifty windows
whose submitted lines claim results of a third of the attached families), so the other parts'
claims are left alone.
"""

import statistics
import time
from datetime import date, timedelta

from sqlalchemy import insert, select, update

from bench.cohort import say
from tff.auth.operations import create_user
from tff.cases.models import Family
from tff.claims.models import SUBMITTED, ClaimBatch, ClaimLine, ClaimWindow, Payment
from tff.extensions import db
from tff.outcomes.phase1 import financial_year_of
from tff.outcomes.plan_versions.operations import store_shipped

TARGET_MS = 300
WINDOWS = 50
RUNS = 20
OUTCOMES = ("crime_asb_education", "progress_to_work", "continuous_employment")


def _claims() -> int:
    """Fifty submitted windows, a fortnight apart, each claiming results of its share of the
    attached families; one payment each. Returns the lines written."""
    store_shipped(None)
    families = db.session.execute(
        select(Family.id, Family.reference, Family.attached_on).where(Family.attached_on.is_not(None))
    ).all()
    written = 0
    for n in range(WINDOWS):
        as_of = date(2013, 7, 31) + timedelta(days=14 * n)
        window = ClaimWindow(name=f"funding-{n + 1:02d}", as_of=as_of, sample_percent=0)
        db.session.add(window)
        db.session.flush()
        batch = ClaimBatch(window_id=window.id, assembled_at=window.created_at)
        db.session.add(batch)
        db.session.flush()
        mine = families[n :: WINDOWS * 3]  # a third of the families, each in one window
        rows = [
            {
                "batch_id": batch.id,
                "family_id": family_id,
                "family_ref": reference,
                "outcome": OUTCOMES[i % len(OUTCOMES)],
                "attachment_year": financial_year_of(attached_on),
                "amount": 700,
                "rule_set": "phase1",
                "reasons": ["bench"],
            }
            for i, (family_id, reference, attached_on) in enumerate(mine)
        ]
        if rows:
            db.session.execute(insert(ClaimLine), rows)
        db.session.execute(update(ClaimBatch).where(ClaimBatch.id == batch.id).values(state=SUBMITTED))
        db.session.add(Payment(window_id=window.id, amount=700 * len(rows) // 2, paid_on=as_of + timedelta(days=60)))
        written += len(rows)
    db.session.commit()
    return written


def run(app) -> dict:
    with app.app_context():
        if not db.session.scalar(select(ClaimWindow.id).where(ClaimWindow.name == "funding-01")):
            say(f"funding: writing {WINDOWS} submitted windows ...")
            lines = _claims()
        else:
            lines = db.session.query(ClaimLine).count()
        create_user("bench-manager@example.org", "Bench Manager", "manager", "bench-password-1")
    from tests.helpers import sign_in

    client = app.test_client()
    assert sign_in(client, "bench-manager@example.org", "bench-password-1").status_code == 302
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get("/funding/")
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return {
        "lines": lines,
        "median": statistics.median(timings),
        "p95": sorted(timings)[int(0.95 * (len(timings) - 1))],
    }


def report(r: dict, backend: str) -> bool:
    ok = r["p95"] < TARGET_MS
    print(
        f"\nFunding dashboard on {backend}: {WINDOWS} submitted windows, {r['lines']:,} claim lines "
        f"(server time in ms; target < {TARGET_MS})"
    )
    print(f"{'request':34} {'median':>8} {'p95':>8}")
    print(f"{'GET /funding/ as a manager':34} {r['median']:8.1f} {r['p95']:8.1f}  {'ok' if ok else 'SLOW'}")
    return ok
