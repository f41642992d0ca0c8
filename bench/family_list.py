"""The family list and search with a region's cohort: server time per request.

Target (issue: families, members, lead workers): the family list and a search under 100 ms
server time with 100,000 families.
"""

import statistics
import time

from sqlalchemy import select

from bench.cohort import say
from tff.cases.models import Member
from tff.extensions import db

TARGET_MS = 100
RUNS = 15


def requests(app) -> list[tuple[str, str]]:
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.upn.is_not(None)).order_by(Member.id.desc()).limit(1))
        adult = db.session.scalar(select(Member).where(Member.nino.is_not(None)).order_by(Member.id).limit(1))
        return [
            ("the family list", "/families/"),
            ("a later page", "/families/?page=900"),
            ("search by last name", "/families/?q=smith"),
            ("search by first and last name", "/families/?q=amy+taylor"),
            ("search by reference", "/families/?q=F0500"),
            ("search by postcode", "/families/?q=S60+1AB"),
            ("search by postcode district", "/families/?q=S61"),
            ("search by UPN", f"/families/?q={member.upn}"),
            ("search by NI number", f"/families/?q={adult.nino}"),
            ("filters and sort", "/families/?status=attached&programme=phase1&sort=attached"),
            ("criterion filter", "/families/?criterion=local:benefit_cap&sort=identified"),
            ("identification worklist", "/identification/"),
        ]


def measure(app, email: str, password: str, label: str) -> list[tuple[str, float, float, bool]]:
    from tests.helpers import sign_in

    client = app.test_client()
    assert sign_in(client, email, password).status_code == 302
    results = []
    for name, url in requests(app):
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, f"{url}: {response.status_code}"
        median = statistics.median(timings)
        p95 = sorted(timings)[int(0.95 * (len(timings) - 1))]
        results.append((f"{label}: {name}", median, p95, p95 < TARGET_MS))
    return results


def run(app) -> list[tuple[str, float, float, bool]]:
    # Requests run outside any app context of ours, as in production: each has its own.
    say(f"family list: {RUNS} requests each, as a coordinator and as a lead worker")
    return measure(app, "bench-coordinator@example.org", "bench-password-1", "coordinator") + measure(
        app, "bench-worker-1@example.org", "bench-password-1", "lead worker"
    )
