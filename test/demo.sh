#!/usr/bin/env bash
# The run command: install what is missing, then run the whole pipeline locally (pnpm demo).
set -uo pipefail
cd "$(dirname "$0")/.."
bash test/tools/ensure-tools.sh moto_server espeak-ng || exit 1
exec pnpm demo "$@"
