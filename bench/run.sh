#!/bin/sh
# Runs one relayer-bench scenario against a fresh server: server pinned to core 0, bench to
# core 1, a new data folder each time. Usage: bench/run.sh BUILD_DIR SCENARIO [OPTIONS...]
#   bench/run.sh build-bench http-send --connections 16 --seconds 10
#   bench/run.sh build-bench ws-idle --connections 10000     (--server-pid is added to all)
set -eu
build=$1; scenario=$2; shift 2
port=${PORT:-7300}
data=$(mktemp -d /tmp/relayer-bench.XXXXXX)
: >"$data/server.log"
taskset -c 0 "$build/apps/relayer" serve --dev --data "$data" --listen "127.0.0.1:$port" --threads 1 \
  >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 50); do grep -q listening "$data/server.log" && break; sleep 0.1; done
echo "# $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
extra="--server-pid $server"
status=0
taskset -c 1 "$build/bench/relayer-bench" "$scenario" --url "http://127.0.0.1:$port" --data "$data" $extra "$@" || status=$?
if ! kill -0 $server 2>/dev/null; then
  echo "# the server died; its log:" >&2
  tail -20 "$data/server.log" >&2
  status=3
elif grep -qiE 'error|warn' "$data/server.log"; then
  echo "# server log warnings/errors:" >&2
  grep -iE 'error|warn' "$data/server.log" | sort | uniq -c | sort -rn | head -10 >&2
fi
exit $status
