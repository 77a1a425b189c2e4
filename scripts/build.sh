#!/usr/bin/env bash
# Configures and builds Relayer into ./build (Release with debug info, ccache when present).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRELAYER_WERROR=ON >/dev/null
cmake --build build -j"$(nproc)"
