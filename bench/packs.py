"""A whole window's evidence pack: `flask claims evidence` over a 20,000-line claim.

Target (issue: claims that stand up to a spot check): under 5 minutes on two cores, the command
under 1 GB of memory. Runs in a database of its own: the cohort's families and members, then a
submitted window whose 20,000 lines claim results of 13,334 families (every other one of them
claims two), each family's frozen evidence as an assembly keeps it (six attendance terms, eight
incidents, two spells, two criteria), and the command run as a finance officer would run it, in
a process of its own so that its time and memory are its own.
"""

import os
import subprocess  # nosec B404 - the product's own command, with fixed arguments
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import insert, select, update

from bench.cohort import say
from tff.cases.models import Family
from tff.claims.models import SUBMITTED, ClaimBatch, ClaimEvidence, ClaimLine, ClaimWindow
from tff.extensions import db
from tff.outcomes.models import Evaluation
from tff.timeutil import utcnow

TARGET_SECONDS = 300
TARGET_MB = 1024
LINES = 20_000
NAME = "bench-pack"
OUTCOMES = ("crime_asb_education", "continuous_employment")


def _evidence(reference: str) -> dict:
    child, adult = f"{reference}-C", f"{reference}-A"
    terms = [(year, term) for year in ("2011/12", "2012/13") for term in ("autumn", "spring", "summer")]
    return {
        "version": 1,
        "as_of": "2013-07-31",
        "family_ref": reference,
        "programme": "phase1",
        "attached_on": "2012-09-15",
        "criteria": [
            {
                "kind": "national",
                "code": "crime_asb",
                "title": "Youth crime or anti-social behaviour",
                "source": "imported",
                "since": "2012-09-01",
            },
            {
                "kind": "national",
                "code": "education",
                "title": "Poor school attendance or exclusions",
                "source": "confirmed",
                "since": "2012-09-03",
            },
        ],
        "members": [
            {"person_ref": child, "date_of_birth": "2001-05-01"},
            {"person_ref": adult, "date_of_birth": "1980-02-11"},
        ],
        "attendance": [
            {
                "person_ref": child,
                "academic_year": year,
                "term": term,
                "possible": 130,
                "unauthorised": 26 - 3 * n,
                "authorised": 4,
            }
            for n, (year, term) in enumerate(terms)
        ],
        "events": [
            {
                "person_ref": child,
                "kind": "asb",
                "date": f"2012-0{n + 1}-15",
                "source": "police",
                "reference": f"E{n:05d}",
            }
            for n in range(8)
        ],
        "spells": [
            {
                "person_ref": adult,
                "kind": "benefit",
                "detail": "JSA",
                "start_date": "2011-04-01",
                "end_date": "2013-01-31",
            },
            {"person_ref": adult, "kind": "employment", "detail": None, "start_date": "2013-02-01", "end_date": None},
        ],
    }


def _window() -> int:
    """The submitted window and its lines, written once. Returns the lines written."""
    found = db.session.scalar(select(ClaimWindow.id).where(ClaimWindow.name == NAME))
    if found is not None:
        return db.session.query(ClaimLine).count()
    evaluation = Evaluation(as_of=date(2013, 7, 31), finished_at=utcnow())
    window = ClaimWindow(name=NAME, as_of=date(2013, 7, 31), sample_percent=0)
    db.session.add_all([evaluation, window])
    db.session.flush()
    evaluation.window_id = window.id
    batch = ClaimBatch(window_id=window.id, evaluation_id=evaluation.id, assembled_at=utcnow())
    db.session.add(batch)
    db.session.flush()
    families = db.session.execute(select(Family.id, Family.reference).order_by(Family.reference)).all()
    lines, evidence, written, n = [], [], 0, 0
    while written < LINES:
        family_id, reference = families[n]
        for outcome in OUTCOMES[: 2 if n % 2 else 1]:
            if written < LINES:
                lines.append(
                    {
                        "batch_id": batch.id,
                        "family_id": family_id,
                        "family_ref": reference,
                        "outcome": outcome,
                        "attachment_year": "2012/13",
                        "amount": 700 if outcome == OUTCOMES[0] else 800,
                        "rule_set": "phase1",
                        "reasons": [
                            "phase1: attached 2012-09-15, as of 2013-07-31",
                            "education: relevant, met: absence 20% -> 8% over three terms",
                            "asb: relevant, met: 5 -> 1 (80%)",
                        ],
                    }
                )
                written += 1
        evidence.append({"evaluation_id": evaluation.id, "family_id": family_id, "evidence": _evidence(reference)})
        n += 1
    for start in range(0, len(lines), 5000):
        db.session.execute(insert(ClaimLine), lines[start : start + 5000])
    for start in range(0, len(evidence), 5000):
        db.session.execute(insert(ClaimEvidence), evidence[start : start + 5000])
    db.session.execute(update(ClaimBatch).where(ClaimBatch.id == batch.id).values(state=SUBMITTED))
    db.session.commit()
    return written


def run(app, url: str) -> dict:
    with app.app_context():
        say(f"packs: writing a submitted window of {LINES:,} lines ...")
        lines = _window()
    folder = Path(tempfile.mkdtemp(prefix="tff-bench-pack-"))
    env = {**os.environ, "TFF_ENV": "test", "DATABASE_URL": url, "FLASK_APP": "tff"}
    flask = [sys.executable, "-m", "flask", "claims", "evidence", NAME, "--out", str(folder)]
    say("packs: flask claims evidence ...")
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        command = subprocess.Popen(flask, env=env, stdout=subprocess.DEVNULL, stderr=errors)  # nosec B603
        # the command's own peak memory, not the bench's nor its other children's
        _pid, status, usage = os.wait4(command.pid, 0)
        command.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        if command.returncode != 0:
            errors.seek(0)
            raise RuntimeError(f"flask claims evidence failed: {errors.read()[-2000:].decode(errors='replace')}")
    peak_mb = usage.ru_maxrss / 1024
    files = list(folder.glob("*.pdf"))
    return {
        "lines": lines,
        "families": len(files),
        "seconds": seconds,
        "peak_mb": peak_mb,
        "mb": sum(f.stat().st_size for f in files) / 1024 / 1024,
    }


def report(r: dict, backend: str) -> bool:
    ok = r["seconds"] < TARGET_SECONDS and r["peak_mb"] < TARGET_MB
    print(
        f"\nEvidence pack on {backend}: `flask claims evidence` over {r['lines']:,} lines "
        f"(target < {TARGET_SECONDS} s, < {TARGET_MB} MB)"
    )
    print(f"{'families':>10} {'seconds':>9} {'per family':>11} {'peak MB':>8} {'PDFs MB':>8}")
    print(
        f"{r['families']:>10,} {r['seconds']:9.1f} {1000 * r['seconds'] / max(r['families'], 1):9.1f}ms "
        f"{r['peak_mb']:8.0f} {r['mb']:8.1f}  {'ok' if ok else 'SLOW'}"
    )
    return ok
