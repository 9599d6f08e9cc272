#!/usr/bin/env bash
# Builds every libFuzzer target of the test tree with clang (ASan + UBSan) and runs each for a
# bounded time. Usage: scripts/fuzz.sh [SECONDS_PER_TARGET=20] [NAME...]
#
# A target is tests/<area>/fuzz/<name>_fuzz.cc with, beside it:
#   <name>_fuzz.sources  the sources it links (globs relative to the repository root, one a line)
#                        and `pkg-config: <package>` lines; `#` starts a comment
#   <name>_corpus/       its committed seed corpus (copied, never modified)
# Targets are built directly with clang++ (libFuzzer needs clang; the CMake trees may use gcc);
# outputs go to $FUZZ_OUT/<name> (default /tmp/baton-fuzz). Exit status is non-zero when a fuzzer
# finds a crash, a leak or a timeout; its reproducer is left in that folder.
set -euo pipefail

seconds="${1:-20}"
shift || true
root="$(cd "$(dirname "$0")/.." && pwd)"
out_root="${FUZZ_OUT:-/tmp/baton-fuzz}"
cxx="${CXX_FUZZ:-$(command -v clang++-14 || command -v clang++)}"

mapfile -t targets < <(find "$root/tests" -path '*/fuzz/*_fuzz.cc' | sort)
failed=()
for main in "${targets[@]}"; do
  dir="$(dirname "$main")"
  name="$(basename "$main" _fuzz.cc)"
  if [[ $# -gt 0 && ! " $* " =~ " $name " ]]; then continue; fi
  list="$dir/${name}_fuzz.sources"
  [[ -f "$list" ]] || { echo "fuzz.sh: $list is missing" >&2; exit 2; }

  sources=("$main")
  packages=()
  while IFS= read -r line; do
    line="${line%%#*}"
    line="$(echo "$line" | xargs)"
    [[ -z "$line" ]] && continue
    if [[ "$line" == pkg-config:* ]]; then
      packages+=("$(echo "${line#pkg-config:}" | xargs)")
    else
      # shellcheck disable=SC2206  # the glob is meant to expand
      matched=("$root"/$line)
      [[ -e "${matched[0]}" ]] || { echo "fuzz.sh: $list: '$line' matches nothing" >&2; exit 2; }
      sources+=("${matched[@]}")
    fi
  done < "$list"

  out="$out_root/$name"
  bin="$out/${name}_fuzz"
  mkdir -p "$out/corpus"
  if [[ -d "$dir/${name}_corpus" ]]; then cp "$dir/${name}_corpus"/* "$out/corpus/"; fi

  # Rebuilt when the list or any source or header in a folder it draws from is newer.
  mapfile -t folders < <(for s in "${sources[@]}"; do dirname "$s"; done | sort -u)
  if [[ ! -x "$bin" || "$list" -nt "$bin" || -n "$(find "${folders[@]}" -maxdepth 1 \
        \( -name '*.h' -o -name '*.cc' \) -newer "$bin" 2>/dev/null | head -1)" ]]; then
    echo "fuzz.sh: building $bin with $cxx" >&2
    cflags=() libs=()
    if [[ ${#packages[@]} -gt 0 ]]; then
      read -r -a cflags <<< "$(pkg-config --cflags "${packages[@]}")"
      read -r -a libs <<< "$(pkg-config --libs "${packages[@]}")"
    fi
    "$cxx" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
      -I "$root" "${cflags[@]}" "${sources[@]}" "${libs[@]}" -o "$bin"
  fi

  echo "fuzz.sh: running $name for ${seconds}s" >&2
  if ! (cd "$out" && "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
          -max_len=4096 -print_final_stats=1 corpus); then
    failed+=("$name")
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz.sh: FAILED: ${failed[*]} (reproducers under $out_root/<name>/)" >&2
  exit 1
fi
echo "fuzz.sh: all targets ran clean" >&2
