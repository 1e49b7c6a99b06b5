#!/usr/bin/env bash
# `npm test`: everything, in the order that fails fastest. Needs PostgreSQL on 127.0.0.1:5432 and
# Chromium at /usr/bin/chromium (.ci/run installs both on a fresh machine).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
# Not under test-results/: Playwright empties that folder when it starts.
results=.test-summary
mkdir -p "$results"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
step "lint";        npx eslint --max-warnings 0 .
step "type check";  npx tsc --noEmit
step "unit, integration (PostgreSQL) and sandbox tests"
npx vitest run --reporter=default --reporter=json --outputFile.json="$results/vitest.json"
step "end-to-end (Chromium)"
npx tsx scripts/e2e-db.ts
PLAYWRIGHT_JSON_OUTPUT_NAME="$results/playwright.json" npx playwright test --reporter=list,json
node scripts/test-summary.mjs "$results/vitest.json" "$results/playwright.json"
