"""`make run`'s script: it serves the sign-in page, and Ctrl-C stops the web app and the worker
(with every process they started) within seconds, where a warm Celery shutdown used to keep
the worker for over a minute.

It runs scripts/run.sh itself, on the embedded defaults (SQLite and the filesystem broker) in
a throwaway instance folder, with a tiny demo cohort. It needs no server, so it never skips.
"""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _processes() -> dict[int, tuple[int, str]]:
    """Every running process (zombies left out): its parent and its command line."""
    rows = subprocess.run(["ps", "-eo", "pid=,ppid=,stat=,args="], capture_output=True, text=True, check=True)
    procs = {}
    for line in rows.stdout.splitlines():
        pid, ppid, stat, *args = line.split(None, 3)
        if not stat.startswith("Z"):
            procs[int(pid)] = (int(ppid), args[0] if args else "")
    return procs


def _descendants(root: int) -> dict[int, str]:
    """The processes the script started and those they started, in whatever session."""
    procs = _processes()
    ours = {root}
    grew = True
    while grew:
        grew = False
        for pid, (ppid, _) in procs.items():
            if ppid in ours and pid not in ours:
                ours.add(pid)
                grew = True
    return {pid: procs[pid][1] for pid in ours if pid in procs}


def _alive(started: dict[int, str]) -> list[str]:
    """Those of the processes seen running that still run (the same pid and command)."""
    procs = _processes()
    return [f"{pid} {args}" for pid, args in started.items() if procs.get(pid, (0, None))[1] == args]


def test_ctrl_c_stops_the_web_app_and_the_worker_within_seconds(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")}
    env.update(
        TFF_ENV="development",
        TFF_INSTANCE_PATH=str(tmp_path / "instance"),
        TFF_DEMO_FAMILIES="3",
        PORT=str(port),
        WORKER_CONCURRENCY="1",
    )
    log = (tmp_path / "run.log").open("w")
    # A session of its own, as a terminal gives `make run`: SIGINT to its group is Ctrl-C.
    script = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "run.sh")],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    started: dict[int, str] = {}
    try:
        deadline = time.monotonic() + 240
        while True:
            assert script.poll() is None, "run.sh stopped before serving:\n" + (tmp_path / "run.log").read_text()
            assert time.monotonic() < deadline, "no sign-in page:\n" + (tmp_path / "run.log").read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as response:
                    assert response.status == 200
                    assert "Sign in" in response.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        started = _descendants(script.pid)
        assert any("celery" in args for args in started.values()), started
        assert any("gunicorn" in args for args in started.values()), started

        os.killpg(script.pid, signal.SIGINT)
        stopped_by = time.monotonic() + 10
        while time.monotonic() < stopped_by and (script.poll() is None or _alive(started)):
            time.sleep(0.1)
        assert script.poll() is not None, "run.sh still running 10 s after Ctrl-C"
        assert not _alive(started), f"still running 10 s after Ctrl-C: {_alive(started)}"
    finally:
        # Nothing left behind for the rest of the suite, whatever the result.
        for entry in _alive(started):
            os.kill(int(entry.split()[0]), signal.SIGKILL)
        if script.poll() is None:
            os.killpg(script.pid, signal.SIGKILL)
            script.wait()
        log.close()
