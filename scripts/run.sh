#!/usr/bin/env bash
# Starts tff: the schema, a Celery worker, the demo data on first run, then the web app.
# Ctrl-C stops both the web app and the worker.
set -euo pipefail
cd "$(dirname "$0")/.."
export FLASK_APP=tff
PORT="${PORT:-5000}"
HOST="${HOST:-127.0.0.1}"

.venv/bin/flask db upgrade

.venv/bin/celery -A worker worker --loglevel=INFO --concurrency="${WORKER_CONCURRENCY:-2}" \
  --without-gossip --without-mingle -n "tff@%h" &
worker=$!
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT INT TERM

.venv/bin/flask demo setup --queue

echo
echo "tff is at http://$HOST:$PORT/  (Ctrl-C stops it)"
.venv/bin/gunicorn --bind "$HOST:$PORT" --workers 1 --threads 8 --access-logfile - "tff:create_app()"
