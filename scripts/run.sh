#!/usr/bin/env bash
# The README's first command: set up, build, and run the server on its embedded default
# (SQLite in ./data, a development app created on first start and printed).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
exec ./build/apps/relayer serve --dev --data "${RELAYER_DATA:-./data}" \
  --listen "${RELAYER_LISTEN:-127.0.0.1:7070}" "$@"
