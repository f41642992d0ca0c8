"""`make bench`: builds a region-sized cohort once, then measures the speed targets.

python -m bench [--families 100000] [--database sqlite|postgresql|URL] [--only PART ...]
"""

import argparse
import os
import sys
import tempfile

os.environ.setdefault("TFF_INSTANCE_PATH", tempfile.mkdtemp(prefix="tff-bench-"))
os.environ["TFF_ENV"] = "test"

from sqlalchemy import select  # noqa: E402

from bench import claims, cohort, family_list, funding, identify, imports, load, outcomes, packs, worklist  # noqa: E402
from tff.auth.models import User  # noqa: E402
from tff.auth.operations import create_user  # noqa: E402
from tff.extensions import db  # noqa: E402


def users(app) -> list[int]:
    with app.app_context():
        import flask_migrate

        flask_migrate.upgrade(revision="heads")
        if not db.session.scalar(select(User.id).where(User.email == "bench-coordinator@example.org")):
            create_user("bench-coordinator@example.org", "Bench Coordinator", "coordinator", "bench-password-1")
            for n in range(1, 41):
                create_user(f"bench-worker-{n}@example.org", f"Bench Worker {n}", "lead_worker", "bench-password-1")
        return list(db.session.scalars(select(User.id).where(User.role == "lead_worker").order_by(User.id)))


PARTS = ("family_list", "outcomes", "identify", "worklist", "claims", "funding", "packs", "imports", "load")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--families", type=int, default=100_000)
    parser.add_argument("--database", default="sqlite", help="sqlite, postgresql (started here) or a URL")
    parser.add_argument("--import-families", type=int, default=10_000, help="cohort size for the import benchmark")
    parser.add_argument("--only", choices=PARTS, action="append", help="run only this part (may be repeated)")
    args = parser.parse_args()
    parts = set(args.only or PARTS)

    server = None
    url = args.database
    if url == "postgresql":
        from tests.services import Postgres

        server = Postgres()
        url = server.start()
    try:
        app = cohort.build_app(cohort.database_url(url, args.families))
        cohort.load_cohort(app, args.families, users(app))
        rows = family_list.run(app) if "family_list" in parts else []
        outcome = outcomes.run(app, args.families) if "outcomes" in parts else None
        identified = identify.run(app, args.families) if "identify" in parts else None
        listed = worklist.run(app, args.families) if "worklist" in parts else None
        claim = claims.run(app, args.families) if "claims" in parts else None
        money = None
        if "funding" in parts:
            funding_app = cohort.build_app(cohort.fresh_database_url(url))
            cohort.load_cohort(funding_app, args.families, users(funding_app))
            money = funding.run(funding_app)
        pack = None
        if "packs" in parts:
            pack_url = cohort.fresh_database_url(url)
            pack_app = cohort.build_app(pack_url)
            cohort.load_cohort(pack_app, args.families, users(pack_app))
            pack = packs.run(pack_app, pack_url)
        import_rows = (
            imports.run(cohort.build_app(cohort.fresh_database_url(url)), args.import_families)
            if "imports" in parts
            else None
        )
        # Under load: PostgreSQL only (the production database), on the cohort as the other
        # parts left it.
        pages = load.run(app, url) if "load" in parts and "postgresql" in url else None
    finally:
        if server:
            server.stop()

    backend = "PostgreSQL" if "postgresql" in url else "SQLite"
    target = family_list.TARGET_MS
    slow = [r for r in rows if not r[3]]
    if "family_list" in parts:
        print(
            f"\nFamily list and search, {args.families:,} families on {backend} "
            f"(server time in ms; target p95 < {target})"
        )
        print(f"{'request':58} {'median':>8} {'p95':>8}")
        for name, median, p95, ok in rows:
            print(f"{name:58} {median:8.1f} {p95:8.1f}  {'ok' if ok else 'SLOW'}")
        print(f"\n{len(rows) - len(slow)} of {len(rows)} within target")
    outcomes_ok = outcomes.report(outcome, backend) if outcome is not None else True
    identify_ok = identify.report(identified, backend) if identified is not None else True
    worklist_ok = worklist.report(listed, backend) if listed is not None else True
    claims_ok = claims.report(claim, backend) if claim is not None else True
    funding_ok = funding.report(money, backend) if money is not None else True
    packs_ok = packs.report(pack, backend) if pack is not None else True
    imports_ok = imports.report(import_rows, backend) if import_rows is not None else True
    load_ok = load.report(pages, backend) if pages is not None else True
    if "load" in parts and pages is None:
        print("\nPages under load: measured on PostgreSQL only")
    return (
        1
        if slow
        or not all((outcomes_ok, identify_ok, worklist_ok, claims_ok, funding_ok, packs_ok, imports_ok, load_ok))
        else 0
    )


if __name__ == "__main__":
    sys.exit(main())
