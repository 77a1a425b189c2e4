#!/usr/bin/env bash
# Installs what Relayer needs to build and test on Debian 12 (run as root). Idempotent and quick
# when everything is there already.
set -euo pipefail

BUILD_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libssl-dev libcli11-dev libspdlog-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev
  libexpat1-dev libgoogle-perftools-dev
  libpq-dev libhiredis-dev libbenchmark-dev
)
# postgresql, redis-server: the throwaway engines scripts/services.sh starts for the scale-out tests.
TEST_PACKAGES=(curl chromium tmux postgresql redis-server)

want=("${BUILD_PACKAGES[@]}")
if [[ "${1:-}" == "--with-tests" ]]; then want+=("${TEST_PACKAGES[@]}"); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ejabberd, for the side-by-side benchmark's smoke test, without starting Debian's service.
if [[ "${1:-}" == "--with-tests" ]]; then "$(dirname "$0")/../bench/ejabberd/start.sh" --install-only; fi

if [[ "${1:-}" == "--with-tests" ]] && ! command -v node >/dev/null; then
  echo "setup: installing nodejs and npm"
  apt-get install -y -qq nodejs npm >/dev/null
fi
