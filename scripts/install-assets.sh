#!/usr/bin/env bash
# Installs GOV.UK Frontend from the npm registry and copies what the pages serve into
# tff/static/govuk (no CDN: every asset is served by the app).
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
src=node_modules/govuk-frontend/dist/govuk
dest=tff/static/govuk
rm -rf "$dest"
mkdir -p "$dest"
cp -r "$src/govuk-frontend.min.css" "$src/govuk-frontend.min.js" "$src/assets" "$dest/"
