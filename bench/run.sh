#!/usr/bin/env bash
# bench/run.sh BUILD_DIR [--smoke] [--only "enqueue e2e ..."]
#
# Runs every benchmark scenario against BUILD_DIR/baton and writes bench/results/<stamp>.json and
# .md (plus latest.json / latest.md). Each figure is printed with its same-run baseline, the ratio
# and whether its target is met; a missed target never fails the run. --smoke: tiny N, seconds
# (CI). Scratch databases go to $BENCH_WORKDIR (default /tmp/baton-bench; the 1M-job database of
# scenario 5 is kept there for the next run).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:?usage: bench/run.sh BUILD_DIR [--smoke] [--only \"SCENARIOS\"]}"
shift
build="$(cd "$build" && pwd)"
smoke=""
only="enqueue e2e latency startup status events policy http"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --smoke) smoke="--smoke" ;;
    --only) only="$2"; shift ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

bench="$build/bench/baton_bench"
for f in "$build/baton" "$bench" "$build/bench/bench_stamp"; do
  [[ -x "$f" ]] || { echo "run.sh: $f is missing: build it (make bench, or --target bench_all)" >&2; exit 2; }
done

results="$here/results"
mkdir -p "$results"
stamp="$(date -u +%Y%m%dT%H%M%SZ)${smoke:+-smoke}"
if [[ -n "$smoke" ]]; then
  work="$(mktemp -d "${TMPDIR:-/tmp}/baton-bench-smoke.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
else
  work="${BENCH_WORKDIR:-${TMPDIR:-/tmp}/baton-bench}"
  mkdir -p "$work"
fi
jsonl="$results/$stamp.jsonl"
: >"$jsonl"

common=(--baton "$build/baton" --stamp "$build/bench/bench_stamp" --workdir "$work" $smoke)

echo "baton benchmarks${smoke:+ (smoke)}: $(nproc) cores, work dir $work ($(df -h --output=source "$work" | tail -1))" >&2
failed=0
for s in $only; do
  echo "== $s" >&2
  if ! "$bench" "$s" "${common[@]}" >>"$jsonl"; then
    echo "run.sh: scenario $s could not run" >&2
    failed=1
  fi
done

# Peers' figures of the same day, if bench/peers.sh ran: one table.
if [[ -z "$smoke" && -f "$results/peers-latest.jsonl" ]]; then
  cat "$results/peers-latest.jsonl" >>"$jsonl"
fi

"$bench" report --in "$jsonl" --json "$results/$stamp.json" --md "$results/$stamp.md" \
  --meta-commit "$(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --meta-date "$stamp" --meta-cores "$(nproc)" --meta-mode "${smoke:-full}" >/dev/null
cp "$results/$stamp.json" "$results/latest${smoke:+-smoke}.json"
cp "$results/$stamp.md" "$results/latest${smoke:+-smoke}.md"
echo >&2
cat "$results/$stamp.md" >&2
echo "results: $results/$stamp.json, $results/$stamp.md" >&2
exit $failed
