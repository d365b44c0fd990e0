# Sourced by test/check.sh and test/demo.sh (not run): makes `node` and `pnpm` on PATH the supported
# ones. Node.js 24 LTS is the runtime the pipeline supports and tests. When the machine's node is
# older, Node 24 and pnpm are installed from the npm registry (the `node` package ships the binary)
# into .tools/node24 of the checkout and put first on PATH, so every later command — pnpm, vitest,
# the built programs — runs on it. Safe to source again: an existing install is reused.

PIPELINE_NODE_MAJOR=24
PIPELINE_PNPM_VERSION=12.4.2

node24_fail() {
  echo "setup: $*" >&2
  return 1
}

node24_major() {
  "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

node24_setup() {
  local root tools
  root="$(pwd)"
  tools="$root/.tools/node24"
  if [ -x "$tools/node_modules/.bin/node" ] && [ "$(node24_major "$tools/node_modules/.bin/node")" = "$PIPELINE_NODE_MAJOR" ]; then
    export PATH="$tools/node_modules/.bin:$PATH"
  elif command -v node >/dev/null 2>&1 && [ "$(node24_major node)" = "$PIPELINE_NODE_MAJOR" ]; then
    : # The machine's node is already the supported one.
  else
    command -v npm >/dev/null 2>&1 ||
      { node24_fail "npm is missing: install Node.js $PIPELINE_NODE_MAJOR LTS (it brings npm)"; return 1; }
    echo "setup: node $(node --version 2>/dev/null || echo missing) is not $PIPELINE_NODE_MAJOR LTS: npm install node@$PIPELINE_NODE_MAJOR into .tools/node24" >&2
    mkdir -p "$tools"
    # The node and pnpm packages fetch their binaries in install scripts, which newer npm releases
    # run only when allowed by name.
    npm install --prefix "$tools" --no-save --no-audit --no-fund --loglevel=error \
      --allow-scripts=node,pnpm "node@$PIPELINE_NODE_MAJOR" "pnpm@$PIPELINE_PNPM_VERSION" >/dev/null 2>&1 ||
      npm install --prefix "$tools" --no-save --no-audit --no-fund --loglevel=error \
        "node@$PIPELINE_NODE_MAJOR" "pnpm@$PIPELINE_PNPM_VERSION" >/dev/null ||
      { node24_fail "could not install Node.js $PIPELINE_NODE_MAJOR from the npm registry: install Node.js $PIPELINE_NODE_MAJOR LTS yourself"; return 1; }
    [ "$(node24_major "$tools/node_modules/.bin/node")" = "$PIPELINE_NODE_MAJOR" ] ||
      { node24_fail "the npm package node@$PIPELINE_NODE_MAJOR did not provide a working binary in $tools: install Node.js $PIPELINE_NODE_MAJOR LTS yourself"; return 1; }
    export PATH="$tools/node_modules/.bin:$PATH"
  fi
  echo "setup: using node $(node --version) ($(command -v node))" >&2
}
