#!/usr/bin/env bash
# Installs what baton needs on Debian 12, only what is missing.
#   scripts/setup.sh          build dependencies
#   scripts/setup.sh --test   plus what the test suite uses (nats-server, npm test clients)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

pkgs=(build-essential cmake pkg-config libcpp-httplib-dev nlohmann-json3-dev libsqlite3-dev
      libnats-dev libspdlog-dev libre2-dev)
if [ "$want_test" = 1 ]; then
  pkgs+=(libgtest-dev nats-server nodejs npm clang libclang-rt-14-dev)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

if [ "$want_test" = 1 ] && [ -x scripts/setup_test_clients.sh ]; then
  scripts/setup_test_clients.sh
fi
