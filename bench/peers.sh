#!/usr/bin/env bash
# bench/peers.sh BUILD_DIR [--smoke]   (make bench-peers)
#
# Scenarios 1-3 (enqueue, end to end, idle start latency) for baton, Celery 5 + Redis and RQ, in
# one table: bench/results/peers-<stamp>.md/.json (and peers-latest.jsonl, which the next
# bench/run.sh adds to its table). Installs python3-celery, python3-rq and redis-server with apt
# when missing; starts Redis on 127.0.0.1 on a free port (no persistence, as Celery/RQ users
# usually run it) and stops it. Uses Debian's /usr/bin/python3, where those packages live.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:?usage: bench/peers.sh BUILD_DIR [--smoke]}" && pwd)"
smoke="${2:-}"
py=/usr/bin/python3
bench="$build/bench/baton_bench"
stamp_bin="$build/bench/bench_stamp"
for f in "$build/baton" "$bench" "$stamp_bin"; do
  [[ -x "$f" ]] || { echo "peers.sh: $f is missing: build it (make bench)" >&2; exit 2; }
done

if ! command -v redis-server >/dev/null || ! "$py" -c 'import celery, rq, redis' 2>/dev/null; then
  echo "peers.sh: installing python3-celery python3-rq redis-server" >&2
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get install -y --no-install-recommends python3-celery python3-rq redis-server >&2
fi

results="$here/results"
mkdir -p "$results"
work="$(mktemp -d "${TMPDIR:-/tmp}/baton-peers.XXXXXX")"
port="$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
  >"$work/redis.log" 2>&1 &
redis_pid=$!
cleanup() {
  kill "$redis_pid" 2>/dev/null || true
  wait "$redis_pid" 2>/dev/null || true
  mkdir -p "$results/peers-logs" && cp "$work"/*/*.log "$results/peers-logs/" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 100); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && break
  sleep 0.05
done

stamp="peers-$(date -u +%Y%m%dT%H%M%SZ)${smoke:+-smoke}"
jsonl="$results/$stamp.jsonl"
: >"$jsonl"
common=(--baton "$build/baton" --stamp "$stamp_bin" --workdir "$work/baton" $smoke)
echo "== baton (scenarios 1-3)" >&2
for s in enqueue e2e latency; do "$bench" "$s" "${common[@]}" >>"$jsonl" || echo "peers.sh: baton $s failed" >&2; done
peers_out="$results/peers-latest${smoke:+-smoke}.jsonl"
: >"$peers_out"
for system in celery rq; do
  echo "== $system" >&2
  if ! "$py" "$here/peers/peers.py" --system "$system" --redis-port "$port" --stamp "$stamp_bin" \
      --workdir "$work/$system" --baton-bench "$bench" $smoke >>"$peers_out"; then
    echo "peers.sh: $system could not run (see $work/$system/*.log)" >&2
  fi
done
cat "$peers_out" >>"$jsonl"
"$bench" report --in "$jsonl" --json "$results/$stamp.json" --md "$results/$stamp.md" \
  --meta-date "$stamp" --meta-cores "$(nproc)" >/dev/null
echo >&2
cat "$results/$stamp.md" >&2
echo "results: $results/$stamp.md" >&2
