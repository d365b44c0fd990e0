#!/usr/bin/env bash
# The test command: install what is missing, then run every check (format, lint, typecheck, all tests)
# and print the summary line "N passed, N failed" from vitest's JSON report.
set -uo pipefail
cd "$(dirname "$0")/.."

bash test/tools/ensure-tools.sh moto_server chromium postgres || exit 1

rm -f .reports/vitest.json
pnpm check
status=$?
node test/tools/summary.mjs .reports/vitest.json || status=1
exit $status
