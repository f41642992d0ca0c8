#!/usr/bin/env bash
# Installs GOV.UK Frontend from the npm registry and copies what the pages serve into
# tff/static/govuk (no CDN: every asset is served by the app). With --dev, adds the
# development packages on top: axe-core, which only the browser tests' accessibility checks
# load (from node_modules, never served), so `make run` does not wait for it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--dev" ]; then
  # --include=dev: even where NODE_ENV=production would leave it out. --no-save: the lock
  # file decides the versions and is left as it is; what is already installed stays.
  npm install --include=dev --no-save --no-audit --no-fund --loglevel=error
  test -f node_modules/axe-core/axe.min.js
  exit 0
fi
npm ci --omit=dev --no-audit --no-fund --loglevel=error
src=node_modules/govuk-frontend/dist/govuk
dest=tff/static/govuk
rm -rf "$dest"
mkdir -p "$dest"
cp -r "$src/govuk-frontend.min.css" "$src/govuk-frontend.min.js" "$src/assets" "$dest/"
