#!/usr/bin/env bash
# bench/peers.sh BUILD_DIR [--smoke]   (make bench-peers)
#
# Scenarios 1-3 (enqueue, end to end, idle start latency) for baton, Celery 5 + Redis, RQ and
# Huey 3 on SQLite, in one table: bench/results/peers-<stamp>.md/.json (and peers-latest.jsonl,
# which the next bench/run.sh adds to its table). Installs python3-celery, python3-rq and
# redis-server with apt when missing; starts Redis on 127.0.0.1 on a free port (no persistence,
# as Celery/RQ users usually run it) and stops it. Uses Debian's /usr/bin/python3, where those
# packages live.
#
# Huey has no Debian package. It is used from, in this order: BATON_BENCH_HUEY_PATH (a directory
# holding a huey 3.x checkout, i.e. DIR/huey/__init__.py, put on PYTHONPATH), an importable huey,
# or `pip install --target` into ~/.cache/baton-bench/python (a directory of its own: Debian's
# python refuses `pip install --user` as an externally managed environment). When none of them
# works, Huey is skipped with a message and the run goes on.
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

# Prints the directory to put on PYTHONPATH for huey 3.x ("" when huey is importable as it is),
# or fails with a message on stderr saying why Huey cannot be measured.
find_huey() {
  local is_huey3='import huey, sys; sys.exit(0 if huey.__version__.split(".")[0] == "3" else 1)'
  if [[ -n "${BATON_BENCH_HUEY_PATH:-}" ]]; then
    if [[ ! -f "$BATON_BENCH_HUEY_PATH/huey/__init__.py" ]]; then
      echo "peers.sh: Huey skipped: BATON_BENCH_HUEY_PATH=$BATON_BENCH_HUEY_PATH holds no huey/__init__.py (name the directory of a huey 3.x checkout, the one holding huey/)" >&2
      return 1
    fi
    if ! PYTHONPATH="$BATON_BENCH_HUEY_PATH" "$py" -c "$is_huey3" 2>/dev/null; then
      echo "peers.sh: Huey skipped: the huey in BATON_BENCH_HUEY_PATH=$BATON_BENCH_HUEY_PATH is not a 3.x release (check out a 3.x tag)" >&2
      return 1
    fi
    echo "$BATON_BENCH_HUEY_PATH"
    return 0
  fi
  if "$py" -c "$is_huey3" 2>/dev/null; then echo ""; return 0; fi
  local target="${XDG_CACHE_HOME:-$HOME/.cache}/baton-bench/python"
  if PYTHONPATH="$target" "$py" -c "$is_huey3" 2>/dev/null; then echo "$target"; return 0; fi
  echo "peers.sh: installing huey 3.x with pip into $target" >&2
  # Bounded: where no registry is reachable pip would otherwise retry for minutes.
  if timeout 60 "$py" -m pip install --quiet --retries 0 --timeout 15 --target "$target" \
        'huey>=3,<4' >&2 && PYTHONPATH="$target" "$py" -c "$is_huey3" 2>/dev/null; then
    echo "$target"
    return 0
  fi
  echo "peers.sh: Huey skipped: no Python package registry reachable (pip install huey failed); set BATON_BENCH_HUEY_PATH to a huey 3.x checkout to measure it" >&2
  return 1
}
peer_systems=(celery rq)
if huey_path="$(find_huey)"; then
  peer_systems+=(huey)
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
for system in "${peer_systems[@]}"; do
  echo "== $system" >&2
  pythonpath="${PYTHONPATH:-}"
  [[ "$system" == huey && -n "$huey_path" ]] && pythonpath="$huey_path${pythonpath:+:$pythonpath}"
  if ! PYTHONPATH="$pythonpath" "$py" "$here/peers/peers.py" --system "$system" --redis-port "$port" --stamp "$stamp_bin" \
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
