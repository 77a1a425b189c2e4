#!/usr/bin/env bash
# Configures and builds Relayer into ./build (Release with debug info, ccache when present).
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache hits across clones in different folders (CI builds a fresh clone each time).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRELAYER_WERROR=ON >/dev/null
cmake --build build -j"$(nproc)"
