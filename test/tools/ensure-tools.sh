#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for the pipeline: pnpm (pinned, via npm), ffmpeg/ffprobe
# (apt-get, only when run as root), the tools named as arguments and the workspace's node_modules.
# Anything it cannot install stops it with one line naming the missing tool. Run by test/check.sh
# and test/demo.sh after test/tools/node24.sh put Node.js 24 first on PATH; safe to run again (it
# skips what is present).
set -euo pipefail

PNPM_VERSION=12.4.2

fail() {
  echo "setup: $*" >&2
  exit 1
}

apt_updated=0
apt_install() {
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    return 1
  fi
  if [ "$apt_updated" = 0 ]; then
    echo "setup: apt-get update" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || return 1
    apt_updated=1
  fi
  echo "setup: apt-get install -y $*" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v node >/dev/null 2>&1 || fail "node is missing: install Node.js 24 LTS"
node -e 'process.exit(Number(process.versions.node.split(".")[0])>=22?0:1)' ||
  fail "Node.js $(node --version) is too old: the pipeline runs on Node.js 24 LTS (22 at the least)"

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "setup: npm install -g pnpm@$PNPM_VERSION" >&2
  npm install -g "pnpm@$PNPM_VERSION" --allow-scripts=pnpm >/dev/null 2>&1 ||
    npm install -g "pnpm@$PNPM_VERSION" >/dev/null ||
    fail "could not install pnpm $PNPM_VERSION with npm: run 'npm install -g pnpm@$PNPM_VERSION' yourself"
fi

if ! command -v ffmpeg >/dev/null 2>&1 || ! command -v ffprobe >/dev/null 2>&1; then
  apt_install ffmpeg ||
    fail "ffmpeg/ffprobe are missing and could not be installed: run 'apt-get install -y ffmpeg' as root"
fi

for tool in "$@"; do
  case "$tool" in
    moto_server)
      command -v moto_server >/dev/null 2>&1 ||
        fail "moto_server is missing: install moto 5.2.1 with its server extra ('pip install \"moto[server]==5.2.1\"')"
      ;;
    chromium)
      command -v chromium >/dev/null 2>&1 || apt_install chromium ||
        fail "chromium is missing and could not be installed: run 'apt-get install -y chromium' as root"
      ;;
    espeak-ng)
      # Optional: the sample generator falls back to tones without it.
      command -v espeak-ng >/dev/null 2>&1 || apt_install espeak-ng || echo "setup: espeak-ng not installed; sample voice-overs will be tones" >&2
      ;;
    postgres)
      # The integration tests give each test file its own database on 127.0.0.1:5432 (user postgres),
      # or on the server TEST_POSTGRES_URL names.
      [ -n "${TEST_POSTGRES_URL:-}" ] && continue
      pg_reachable() {
        if command -v pg_isready >/dev/null 2>&1; then
          pg_isready -q -h 127.0.0.1 -p 5432 -U postgres
        else
          node -e 'const s=require("net").connect(5432,"127.0.0.1");s.on("connect",()=>process.exit(0));s.on("error",()=>process.exit(1))'
        fi
      }
      if ! pg_reachable; then
        if [ "$(id -u)" = "0" ] && command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
          echo "setup: starting PostgreSQL" >&2
          pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start >/dev/null 2>&1 || true
          sleep 2
        fi
        pg_reachable ||
          fail "PostgreSQL is not reachable on 127.0.0.1:5432 (user postgres, trust auth): start it, or set TEST_POSTGRES_URL to another server"
      fi
      ;;
    systemd-analyze)
      # Optional: the unit-file check is skipped without it.
      command -v systemd-analyze >/dev/null 2>&1 || apt_install systemd ||
        echo "setup: systemd-analyze not installed; the systemd unit check will be skipped" >&2
      ;;
    rclone)
      command -v rclone >/dev/null 2>&1 || apt_install rclone || fail "rclone is missing: run 'apt-get install -y rclone' as root"
      ;;
  esac
done

echo "setup: pnpm install --frozen-lockfile" >&2
pnpm install --frozen-lockfile --reporter=silent || fail "pnpm install --frozen-lockfile failed (see above)"
