#!/usr/bin/env bash
# The test command: provide Node.js 24 and install what is missing, then build and run every check
# (build, format, lint, typecheck, all tests) and print the summary line "N passed, N failed" from
# vitest's JSON report.
set -uo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=tools/node24.sh
. test/tools/node24.sh
node24_setup || exit 1
bash test/tools/ensure-tools.sh moto_server chromium postgres systemd-analyze || exit 1

rm -f .reports/vitest.json
pnpm check
status=$?
node test/tools/summary.mjs .reports/vitest.json || status=1
exit $status
