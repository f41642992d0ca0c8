"""Pages under load: a mix of coordinators, finance officers and managers on the cohort's
PostgreSQL database, through the production web server; p50 and p95 per page.

Target (issue: proof under load): p95 under 200 ms at 20 concurrent users on 2 cores. The
app runs as in production (gunicorn, PostgreSQL, Redis for the throttling counters); locust
plays the users (`bench/locustfile.py`), each with an account of their own and a pause of
1 to 3 seconds between pages. Everything shares the machine's cores: server, database and
the load itself.
"""

import csv
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from bench.cohort import say
from tff.auth.models import User
from tff.auth.operations import create_user
from tff.cases.models import Family, Member
from tff.claims.models import ClaimWindow
from tff.extensions import db

TARGET_MS = 200
USERS = 20
SECONDS = int(os.environ.get("TFF_LOAD_SECONDS", "90"))
PASSWORD = "bench-load-password-1"  # noqa: S105 - the load's own accounts
#: gunicorn as a 2-core server runs it: a process a core, a few threads each
WORKERS, THREADS = 2, 4
ROOT = Path(__file__).resolve().parent.parent


def _plan(app, folder: Path) -> Path:
    """Accounts for every simulated user, and the families, searches and windows they visit."""
    with app.app_context():
        accounts = {}
        for role in ("coordinator", "finance", "manager"):
            emails = [f"load-{role}-{n}@example.org" for n in range(1, USERS + 1)]
            have = set(db.session.scalars(select(User.email).where(User.email.in_(emails))))
            for email in emails:
                if email not in have:
                    create_user(email, email.split("@")[0], role, PASSWORD)
            accounts[role] = emails
        families = list(db.session.scalars(select(Family.reference).order_by(func.random()).limit(2000)))
        searches = list(db.session.scalars(select(Member.last_name).distinct().order_by(Member.last_name).limit(200)))
        windows = list(db.session.scalars(select(ClaimWindow.id).order_by(ClaimWindow.id.desc()).limit(20)))
    plan = folder / "plan.json"
    plan.write_text(
        json.dumps(
            {"password": PASSWORD, "accounts": accounts, "families": families, "searches": searches, "windows": windows}
        )
    )
    return plan


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the web server stopped while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the web server did not start within a minute")


def run(app, database_url: str) -> list[tuple[str, int, int, float, float]]:
    """(page, requests, failures, p50 ms, p95 ms) for each page, then the aggregate."""
    from tests.services import Redis

    folder = Path(tempfile.mkdtemp(prefix="tff-bench-load-"))
    plan = _plan(app, folder)
    redis = Redis()
    redis_url = redis.start()
    port = _free_port()
    env = {
        **os.environ,
        "TFF_ENV": "development",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": secrets.token_hex(32),
        "TFF_INSTANCE_PATH": str(folder / "instance"),
        "TFF_LOAD_PLAN": str(plan),
    }
    bin_ = Path(sys.executable).parent
    server = subprocess.Popen(
        [
            str(bin_ / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--threads",
            str(THREADS),
            "tff:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(folder / "server.log", "w"),  # noqa: SIM115 - closed with the process
    )
    try:
        _wait_for(port, server)
        say(f"load: {USERS} users for {SECONDS}s against gunicorn ({WORKERS} workers x {THREADS} threads) ...")
        subprocess.run(
            [
                str(bin_ / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(USERS),
                "--spawn-rate",
                "5",
                "--run-time",
                f"{SECONDS}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(folder / "load"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            check=False,
            stdout=subprocess.DEVNULL,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        redis.stop()
    with open(folder / "load_stats.csv", newline="") as f:
        rows = [
            (r["Name"], int(r["Request Count"]), int(r["Failure Count"]), float(r["50%"]), float(r["95%"]))
            for r in csv.DictReader(f)
        ]
    return sorted(rows, key=lambda r: (r[0] == "Aggregated", r[0]))


def report(rows, backend: str) -> bool:
    print(f"\nPages under load: {USERS} users on {backend} (ms; target p95 < {TARGET_MS}; sign-in apart)")
    print(f"{'page':28} {'requests':>9} {'failures':>9} {'p50':>7} {'p95':>7}")
    ok = True
    for name, count, failures, p50, p95 in rows:
        # Signing in verifies a password with argon2 (slow on purpose): not a page, not counted.
        counted = not name.startswith("sign in") and name != "Aggregated"
        met = p95 < TARGET_MS and not failures
        if counted:
            ok &= met
        flag = ("ok" if met else "SLOW" if not failures else "FAILED") if counted else ""
        print(f"{name:28} {count:9,} {failures:9,} {p50:7.0f} {p95:7.0f}  {flag}")
    return ok
