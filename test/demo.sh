#!/usr/bin/env bash
# The run command: provide Node.js 24, install what is missing, build, then run the whole pipeline
# locally (pnpm demo).
set -uo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=tools/node24.sh
. test/tools/node24.sh
node24_setup || exit 1
bash test/tools/ensure-tools.sh moto_server espeak-ng || exit 1
pnpm build || exit 1
exec pnpm demo "$@"
