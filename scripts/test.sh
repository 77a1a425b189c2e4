#!/usr/bin/env bash
# The README's second command: set up, build, and run every test (unit, store conformance,
# HTTP integration, end-to-end with the real Layer Web SDK in Node.js and Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --with-tests
./scripts/build.sh

# The benchmark smoke tests (ctest BenchSmoke.*) also run S1 against the uWebSockets.js relay.
(cd bench/relay && npm ci --no-audit --no-fund --loglevel=error)

# A throwaway PostgreSQL and Redis on loopback for the scale-out tests (RELAYER_TEST_PG,
# RELAYER_TEST_REDIS); stopped when this script exits.
source ./scripts/services.sh

echo "== C++ tests (ctest, with short smoke runs of the benchmark scenarios)"
(cd build && ctest --output-on-failure -j2 --timeout 300)

echo "== End-to-end tests (layer-websdk@3.4.18)"
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error && RELAYER_BIN="$PWD/../../build/apps/relayer" npm test)
