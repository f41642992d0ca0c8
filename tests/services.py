"""Real PostgreSQL, Redis and Celery workers for the tests, started from installed packages.

Under CI (`CI=true`) or `TFF_REQUIRE_SERVICES=1` a missing service fails the test that needs
it; elsewhere such tests skip and say why. `TEST_DATABASE_URL` and `TEST_REDIS_URL` point
the tests at servers you already run instead.
"""

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = os.environ.get("CI", "").lower() == "true" or os.environ.get("TFF_REQUIRE_SERVICES") == "1"


def unavailable(reason: str):
    if REQUIRED:
        pytest.fail(f"{reason} (services are required under CI=true)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listened on port {port} within {timeout}s")


def _postgres_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


class Postgres:
    """A throwaway cluster in a temporary folder, fast and unsafe (no fsync)."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="tff-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root: run it as the packages' postgres user.
            shutil.chown(self.folder, "postgres")
            self.as_postgres = ["runuser", "-u", "postgres", "--"]

    def start(self) -> str:
        initdb = _postgres_bin("initdb")
        run = dict(check=True, capture_output=True, text=True)
        subprocess.run(
            [
                *self.as_postgres,
                initdb,
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            **run,
        )
        self.start_server()
        subprocess.run(
            [
                *self.as_postgres,
                _postgres_bin("createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "tff_test",
            ],
            **run,
        )
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/tff_test"

    def start_server(self) -> None:
        """Start the cluster's server (again), on the same port, and wait until it accepts."""
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        subprocess.run(
            [
                *self.as_postgres,
                _postgres_bin("pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                options,
                "-l",
                str(self.folder / "log"),
                "-w",
                "start",
            ],
            check=True,
            capture_output=True,
            text=True,
        )

    def stop_server(self) -> None:
        """Stop the server, keeping its data: its connections are dropped and new ones refused."""
        subprocess.run(
            [*self.as_postgres, _postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"],
            check=True,
            capture_output=True,
            text=True,
        )

    def stop(self) -> None:
        subprocess.run(
            [*self.as_postgres, _postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


class Redis:
    def __init__(self):
        self.port = free_port()
        self.process = None

    def start(self) -> str:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(10)

    def restart(self) -> None:
        """Start again on the same port after `stop()`: the same URL works, with an empty store
        (these servers keep nothing on disk)."""
        self.start()


def postgres_available(include_url: bool = True) -> str | None:
    """Why PostgreSQL cannot be had, or None. `include_url=False`: a server of the test's own
    is needed (one it may stop), so `TEST_DATABASE_URL` does not count."""
    if include_url and os.environ.get("TEST_DATABASE_URL"):
        return None
    if not (_postgres_bin("initdb") and _postgres_bin("pg_ctl")):
        return "PostgreSQL is not installed (apt-get install postgresql)"
    if os.geteuid() == 0 and not shutil.which("runuser"):
        return "running as root without runuser to start PostgreSQL as postgres"
    return None


def redis_available() -> str | None:
    if os.environ.get("TEST_REDIS_URL") or shutil.which("redis-server"):
        return None
    return "Redis is not installed (apt-get install redis-server)"


class Worker:
    """A real Celery worker process (`celery -A worker worker`) for one database and broker."""

    def __init__(self, env: dict, log: Path):
        self.env = {**os.environ, **env, "TFF_ENV": "test", "TFF_JOB_HEARTBEAT_EVERY": "1"}
        self.log = log
        self.process = None

    def start(self) -> "Worker":
        self.handle = open(self.log, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "celery"),
                "-A",
                "worker",
                "worker",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
                "-n",
                f"test-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def kill(self) -> None:
        """As a crash would: no chance to clean up."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.handle.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")
