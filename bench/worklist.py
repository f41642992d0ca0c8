"""The identification worklist with a region's cohort: the first page and the whole list as
CSV, server time per request.

Target: with 100,000 families (about 20,000 of them identified and not attached, each with
its confirmed and suggested criteria), the worklist's first page under 500 ms and the CSV of
the whole list under 10 seconds, as a coordinator, on SQLite and on PostgreSQL.

The cohort's identified families are given criteria here when they have none: confirmed,
imported, suggested and rejected in the proportions a council's cohort shows once the
suggestions have been worked out and the coordinators are part way through them.
"""

import statistics
import time
from datetime import date, datetime

from sqlalchemy import func, insert, select

from bench.cohort import say
from tff.auth.models import User
from tff.cases.models import CRITERIA, Family, FamilyCriterion
from tff.cases.models.identification import CONFIRMED
from tff.extensions import db
from tff.identification.engine import LOCAL, NATIONAL, PHASE1_NATIONAL, PROBLEM, RULE_SET
from tff.identification.job import not_attached
from tff.identification.models import IdentificationSuggestion, RejectedCriterion

PAGE_TARGET_MS = 500
CSV_TARGET_MS = 10_000
PAGE_RUNS = 10
CSV_RUNS = 3
CHUNK = 5_000
AS_OF = date(2014, 3, 31)
PROBLEMS = sorted(CRITERIA[PROBLEM])


def _criteria_of(family_id: int, programme: str) -> tuple[list, list, list]:
    """(confirmed, suggested, rejected) (kind, code) pairs of a family, by its id: a fifth
    eligible on confirmed criteria, some eligible if confirmed, the rest short of it."""
    pick = family_id % 5
    if programme == RULE_SET:
        national = [(NATIONAL, code) for code in PHASE1_NATIONAL]
        start = family_id % len(national)
        national = national[start:] + national[:start]
        confirmed = national[: (3, 2, 1, 1, 0)[pick]]
        suggested = [c for c in national[len(confirmed) :]][: (0, 1, 2, 1, 3)[pick]]
        if pick == 3:
            suggested.append((LOCAL, "domestic_abuse"))
        rejected = suggested[:1] if family_id % 7 == 0 else []
        return confirmed, suggested, rejected
    problems = [(PROBLEM, code) for code in PROBLEMS]
    start = family_id % len(problems)
    problems = problems[start:] + problems[:start]
    confirmed = problems[: (3, 1, 0, 1, 0)[pick]]
    suggested = problems[len(confirmed) : len(confirmed) + (0, 2, 3, 1, 1)[pick]]
    rejected = suggested[:1] if family_id % 7 == 0 else []
    return confirmed, suggested, rejected


def give_criteria(app) -> int:
    """Criteria for the identified families not yet attached, unless they have some confirmed
    or suggested already (an earlier run, or the identify part's job). Returns how many
    families were given criteria."""
    with app.app_context():
        waiting = select(Family.id).where(not_attached())
        have = db.session.scalar(
            select(func.count())
            .select_from(IdentificationSuggestion)
            .where(IdentificationSuggestion.family_id.in_(waiting))
        )
        if have:
            say(f"worklist: {have:,} suggestions already there")
            return 0
        by = db.session.scalar(select(User.id).where(User.role == "coordinator").order_by(User.id).limit(1))
        rows = db.session.execute(select(Family.id, Family.programme).where(not_attached()).order_by(Family.id)).all()
        say(f"worklist: giving {len(rows):,} identified families their criteria ...")
        now = datetime(2014, 4, 1)
        for start in range(0, len(rows), CHUNK):
            confirmed, suggested, rejected = [], [], []
            for family_id, programme in rows[start : start + CHUNK]:
                firm, maybe, no = _criteria_of(family_id, programme)
                confirmed += [
                    {"family_id": family_id, "kind": k, "code": c, "source": CONFIRMED, "confirmed_by_id": by}
                    for k, c in firm
                ]
                suggested += [
                    {
                        "family_id": family_id,
                        "kind": k,
                        "code": c,
                        "evidence": [f"asb 2013-0{1 + family_id % 9}-11 (police E{family_id})"],
                        "as_of": AS_OF,
                        "created_at": now,
                    }
                    for k, c in maybe
                ]
                rejected += [
                    {
                        "family_id": family_id,
                        "kind": k,
                        "code": c,
                        "reason": "Another family's record",
                        "evidence": [],
                        "rejected_by_id": by,
                        "rejected_at": now,
                    }
                    for k, c in no
                ]
            held = set(
                db.session.execute(
                    select(FamilyCriterion.family_id, FamilyCriterion.kind, FamilyCriterion.code).where(
                        FamilyCriterion.family_id.in_([r[0] for r in rows[start : start + CHUNK]])
                    )
                ).all()
            )
            confirmed = [c for c in confirmed if (c["family_id"], c["kind"], c["code"]) not in held]
            for model, values in ((FamilyCriterion, confirmed), (IdentificationSuggestion, suggested)):
                if values:
                    db.session.execute(insert(model), values)
            if rejected:
                db.session.execute(insert(RejectedCriterion), rejected)
            db.session.commit()
        return len(rows)


def _time(client, url: str, runs: int) -> tuple[float, float, int]:
    timings, size = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        body = response.get_data()
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        size = len(body.splitlines()) - 1 if url.endswith(".csv") or ".csv?" in url else size
    return statistics.median(timings), sorted(timings)[int(0.95 * (len(timings) - 1))], size


def run(app, families: int) -> dict:
    from tests.helpers import sign_in

    give_criteria(app)
    with app.app_context():
        waiting = db.session.scalar(select(func.count()).select_from(Family).where(not_attached()))
        cohort = db.session.scalar(select(func.count()).select_from(Family))
    client = app.test_client()
    assert sign_in(client, "bench-coordinator@example.org", "bench-password-1").status_code == 302
    say(f"worklist: {PAGE_RUNS} requests of each page, {CSV_RUNS} of each CSV")
    rows = []
    for name, url, runs, target in (
        ("first page", "/identification/", PAGE_RUNS, PAGE_TARGET_MS),
        (
            "a later page, sorted by reference",
            "/identification/?sort=reference&direction=desc&page=10",
            PAGE_RUNS,
            PAGE_TARGET_MS,
        ),
        (
            "filtered by a criterion",
            "/identification/?criterion=problem:phase2.worklessness",
            PAGE_RUNS,
            PAGE_TARGET_MS,
        ),
        (
            "filtered to nobody (counted again)",
            "/identification/?criterion=national:work&group=eligible_if_confirmed",
            PAGE_RUNS,
            PAGE_TARGET_MS,
        ),
        ("the whole list as CSV", "/identification/worklist.csv", CSV_RUNS, CSV_TARGET_MS),
        ("phase one's as CSV", "/identification/worklist.csv?programme=phase1", CSV_RUNS, CSV_TARGET_MS),
    ):
        median, p95, size = _time(client, url, runs)
        rows.append((name, median, p95, size, target, p95 < target))
    return {"cohort": cohort, "waiting": waiting, "rows": rows}


def report(r: dict, backend: str) -> bool:
    print(
        f"\nIdentification worklist on {backend}: a {r['cohort']:,}-family cohort, {r['waiting']:,} identified "
        f"and not attached (server time in ms; target p95 page < {PAGE_TARGET_MS}, CSV < {CSV_TARGET_MS:,})"
    )
    print(f"{'request':40} {'median':>9} {'p95':>9} {'CSV rows':>9}")
    for name, median, p95, size, _target, ok in r["rows"]:
        print(f"{name:40} {median:9.1f} {p95:9.1f} {size or '':>9}  {'ok' if ok else 'SLOW'}")
    return all(row[-1] for row in r["rows"])
