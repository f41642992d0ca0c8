"""A region-sized cohort in a database of its own, made once and kept for later runs."""

import itertools
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import flask_migrate
from sqlalchemy import func, insert, select, text, update

from tff.cases.models import ATTACHED, IDENTIFIED, Family, FamilyCriterion, Member
from tff.cases.models.member import name_key
from tff.demo.cohort import CohortMaker
from tff.extensions import db

CHUNK = 20_000
#: one in this many of the families the cohort maker attaches is kept identified and not yet
#: attached, so that with the maker's own (15%) about a fifth of the cohort (some 20,000 of
#: 100,000) waits for identification, as councils' cohorts did at the height of a programme
WAITING_EVERY = 17


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build_app(database_url: str):
    os.environ.setdefault("TFF_ENV", "test")
    from config import TestConfig
    from tff import create_app

    return create_app(TestConfig(), SQLALCHEMY_DATABASE_URI=database_url)


def load_cohort(app, families: int, lead_worker_ids: list[int]) -> None:
    """Families, members and their criteria, in bulk; skipped when already there."""
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        have = db.session.scalar(select(func.count()).select_from(Family))
        if have >= families:
            say(f"cohort: {have:,} families already loaded")
            return
        say(f"cohort: loading {families:,} families ...")
        started = time.perf_counter()
        maker = CohortMaker(seed=2014)
        batch_f, loaded = [], 0
        for number, (family, members, *_evidence) in enumerate(maker.families(families), start=1):
            attached = family["attached_on"] if number % WAITING_EVERY else ""
            batch_f.append(
                {
                    "reference": family["family_ref"],
                    "programme": family["programme"],
                    "status": ATTACHED if attached else IDENTIFIED,
                    "identified_on": date.fromisoformat(family["identified_on"]),
                    "attached_on": date.fromisoformat(attached) if attached else None,
                    "postcode": family["postcode"],
                    "lead_worker_id": lead_worker_ids[number % len(lead_worker_ids)] if number % 3 else None,
                    "_members": members,
                    "_local": family["local_criteria"],
                }
            )
            if len(batch_f) >= CHUNK or number == families:
                loaded += _flush(batch_f)
                batch_f = []
                say(f"  {loaded:,} families")
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does soon after a bulk load in production: planner statistics.
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        say(f"cohort: loaded in {time.perf_counter() - started:.1f}s")


def keep_waiting(app, families: int) -> int:
    """Keep a cohort loaded before `WAITING_EVERY` as a cohort loaded now is: those families
    identified and not yet attached (nothing else of theirs changes). Returns how many it changed."""
    refs = [f"F{number:06d}" for number in range(WAITING_EVERY, families + 1, WAITING_EVERY)]
    changed = 0
    with app.app_context():
        for start in range(0, len(refs), CHUNK):
            result = db.session.execute(
                update(Family)
                .where(Family.reference.in_(refs[start : start + CHUNK]), Family.status == ATTACHED)
                .values(status=IDENTIFIED, attached_on=None)
                .execution_options(synchronize_session=False)
            )
            changed += result.rowcount
        db.session.commit()
    return changed


def _flush(batch: list[dict]) -> int:
    rows = [{k: v for k, v in f.items() if not k.startswith("_")} for f in batch]
    db.session.execute(insert(Family), rows)
    ids = dict(
        db.session.execute(
            select(Family.reference, Family.id).where(Family.reference.in_([f["reference"] for f in batch]))
        ).all()
    )
    members, criteria = [], []
    for f in batch:
        family_id = ids[f["reference"]]
        for m in f["_members"]:
            members.append(
                {
                    "family_id": family_id,
                    "person_ref": m["person_ref"],
                    "first_name": m["first_name"],
                    "last_name": m["last_name"],
                    "first_key": name_key(m["first_name"]),
                    "last_key": name_key(m["last_name"]),
                    "date_of_birth": date.fromisoformat(m["date_of_birth"]),
                    "sex": m["sex"],
                    "upn": m["upn"] or None,
                    "nino": m["nino"] or None,
                    "relationship": m["relationship"],
                }
            )
        for code in filter(None, f["_local"].split(";")):
            criteria.append({"family_id": family_id, "kind": "local", "code": code, "source": "imported"})
    db.session.execute(insert(Member), members)
    if criteria:
        db.session.execute(insert(FamilyCriterion), criteria)
    db.session.commit()
    return len(batch)


def database_url(kind: str, families: int) -> str:
    if kind == "sqlite":
        folder = Path(os.environ.get("TFF_BENCH_FOLDER", Path(__file__).resolve().parent.parent / "instance" / "bench"))
        folder.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{folder / f'cohort-{families}.sqlite3'}"
    return kind


_FRESH = itertools.count(1)


def fresh_database_url(kind_or_url: str) -> str:
    """An empty database beside the cohort's: a new SQLite file, or a new PostgreSQL database
    on the same server."""
    if kind_or_url == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="tff-bench-"))
        return f"sqlite:///{folder / 'imports.sqlite3'}"
    from sqlalchemy import create_engine

    name = f"tff_bench_{os.getpid()}_{next(_FRESH)}"
    engine = create_engine(kind_or_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return kind_or_url.rsplit("/", 1)[0] + "/" + name
