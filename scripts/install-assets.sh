#!/usr/bin/env bash
# Installs GOV.UK Frontend from the npm registry and copies what the pages serve into
# tff/static/govuk (no CDN: every asset is served by the app), and axe-core, which only the
# browser tests' accessibility checks load (from node_modules, never served).
set -euo pipefail
cd "$(dirname "$0")/.."
# --include=dev: the tests need axe-core even where NODE_ENV=production would leave it out.
npm ci --include=dev --no-audit --no-fund --loglevel=error
test -f node_modules/axe-core/axe.min.js
src=node_modules/govuk-frontend/dist/govuk
dest=tff/static/govuk
rm -rf "$dest"
mkdir -p "$dest"
cp -r "$src/govuk-frontend.min.css" "$src/govuk-frontend.min.js" "$src/assets" "$dest/"
