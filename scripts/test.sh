#!/usr/bin/env bash
# `npm test`: everything — lint, types, unit/integration/sandbox tests, end-to-end tests — and one closing
# line, `tests: N passed, N failed`, printed whatever happened. Every step runs even when an earlier one
# failed, so one red run shows every problem; each failed step counts as a failure in that line. Needs
# PostgreSQL on 127.0.0.1:5432 and Chromium at /usr/bin/chromium (.ci/run installs both on a fresh machine).
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
# Not under test-results/: Playwright empties that folder when it starts. Emptied first, so a stale
# report from an earlier run is never counted.
results=.test-summary
rm -rf "$results"
mkdir -p "$results"
step() { printf '\n\033[1m== %s\033[0m\n' "$1"; }
# run NAME CMD…: runs a step; a non-zero exit is recorded for the summary.
run() {
  local name=$1
  shift
  "$@" || echo "$name" >>"$results/failed-steps"
}
step "lint";        run lint npx eslint --max-warnings 0 .
step "type check";  run typecheck npx tsc --noEmit
step "unit, integration (PostgreSQL) and sandbox tests"
run vitest npx vitest run --reporter=default --reporter=json --outputFile.json="$results/vitest.json"
step "end-to-end (Chromium)"
if npx tsx scripts/e2e-db.ts; then
  PLAYWRIGHT_JSON_OUTPUT_NAME="$results/playwright.json" run playwright npx playwright test --reporter=list,json
else
  echo "e2e-database" >>"$results/failed-steps"
fi
node scripts/test-summary.mjs "$results"
