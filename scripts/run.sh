#!/usr/bin/env bash
# Starts tff: the schema, a Celery worker, the demo data on first run, then the web app.
#
# Ctrl-C (SIGINT) or SIGTERM stops everything within a few seconds: the web app and the demo
# set-up are asked to stop, the worker gets a warm shutdown for up to STOP_GRACE seconds (3)
# to finish its task, then a cold one, and whatever is still running is killed. Each child
# runs in a session of its own (setsid), so a Ctrl-C reaches them only through this script
# and every process a child started (the worker's pool, gunicorn's workers) goes with it.
set -euo pipefail
cd "$(dirname "$0")/.."
export FLASK_APP=tff
PORT="${PORT:-5000}"
HOST="${HOST:-127.0.0.1}"
GRACE="${STOP_GRACE:-3}"

# Runs a command in its own session and process group, whose id is the command's own pid.
own_group() {
  if command -v setsid >/dev/null; then exec setsid "$@"; else exec "$@"; fi
}

children=()

# True while any process of the child's group (or, without setsid, the child) is running.
running() {
  kill -0 -- "-$1" 2>/dev/null || kill -0 "$1" 2>/dev/null
}

# Waits up to $1 tenths of a second for every child to be gone.
wait_gone() {
  local tenths=$1 pid alive
  while [ "$tenths" -gt 0 ]; do
    alive=0
    for pid in "${children[@]}"; do
      if running "$pid"; then alive=1; fi
    done
    [ "$alive" -eq 0 ] && return 0
    sleep 0.1
    tenths=$((tenths - 1))
  done
  return 1
}

stop() {
  local status=$? pid
  # A second Ctrl-C does not cut the stop short (it takes a few seconds at most).
  trap '' INT TERM
  trap - EXIT
  [ "${#children[@]}" -eq 0 ] && exit "$status"
  echo "Stopping tff ..." >&2
  # TERM: gunicorn stops gracefully, the worker warm (finishing its task), the rest at once.
  for pid in "${children[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  if ! wait_gone $((GRACE * 10)); then
    # QUIT: the worker's cold shutdown, its task left unfinished; gunicorn's quick one.
    for pid in "${children[@]}"; do kill -QUIT "$pid" 2>/dev/null || true; done
    if ! wait_gone 20; then
      for pid in "${children[@]}"; do
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      done
    fi
  fi
  # Reaps the children, so none is left behind even as a zombie.
  wait 2>/dev/null || true
  exit "$status"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a child in the background and waits for it: `wait` returns as soon as a signal comes,
# where a foreground child would make the trap wait for it to finish.
run_child() {
  own_group "$@" &
  children+=($!)
  wait "$!"
}

.venv/bin/flask db upgrade

own_group .venv/bin/celery -A worker worker --loglevel=INFO --concurrency="${WORKER_CONCURRENCY:-2}" \
  --without-gossip --without-mingle -n "tff@%h" &
children+=($!)

# TFF_DEMO_FAMILIES sets how many demo families the first run loads (300).
run_child .venv/bin/flask demo setup --queue

echo
echo "tff is at http://$HOST:$PORT/  (Ctrl-C stops it)"
run_child .venv/bin/gunicorn --bind "$HOST:$PORT" --workers 1 --threads 8 --graceful-timeout "$GRACE" \
  --access-logfile - "tff:create_app()"
