#!/usr/bin/env bash
# Builds the libFuzzer target for the Rego lexer/parser/compiler with clang (ASan + UBSan) and runs
# it for a bounded time. Usage: scripts/fuzz_policy.sh [SECONDS=20]
# Builds directly with clang++ (not through CMake); outputs go to $FUZZ_OUT (default
# /tmp/baton-fuzz-policy). The committed seed corpus is copied, never modified. Exit status is
# non-zero when the fuzzer finds a crash, a leak or a timeout (the reproducer is in $FUZZ_OUT).
set -euo pipefail

seconds="${1:-20}"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${FUZZ_OUT:-/tmp/baton-fuzz-policy}"
cxx="${CXX_FUZZ:-$(command -v clang++-14 || command -v clang++)}"

mkdir -p "$out/corpus"
cp "$root"/tests/policy/fuzz/corpus/* "$out/corpus/"

sources=(
  "$root"/policy/*.cc
  "$root"/base/status.cc
  "$root"/base/rfc3339.cc
  "$root"/tests/policy/fuzz/rego_parser_fuzz.cc
)
bin="$out/rego_parser_fuzz"
if [[ ! -x "$bin" || -n "$(find "${sources[@]}" "$root"/policy/*.h -newer "$bin" 2>/dev/null | head -1)" ]]; then
  echo "building $bin with $cxx" >&2
  # shellcheck disable=SC2046
  "$cxx" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I "$root" $(pkg-config --cflags re2) "${sources[@]}" $(pkg-config --libs re2) -o "$bin"
fi

cd "$out"
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
  -print_final_stats=1 corpus
