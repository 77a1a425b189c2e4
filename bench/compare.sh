#!/bin/bash
# S1 side by side in one run: Relayer, the storage-free relay (bench/relay) and ejabberd
# (bench/ejabberd), each in turn on core 0 with the load generator on core 1, the same staircase
# of rates and the same timing code. Writes OUT/{relayer,relay,ejabberd}.json and prints the
# Markdown rows and the ratios the issue asks for.
#   bench/compare.sh BUILD_DIR OUT [s1 options, e.g. --conversations 1000 --rates 500,1000,2000]
# SKIP="relay ejabberd" leaves servers out.
set -euo pipefail
build=$(cd "$1" && pwd); out=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
bench="$build/bench/relayer-bench"
mkdir -p "$out"
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT

wait_for() {  # LOG PATTERN
  for _ in $(seq 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "server did not start; $1:" >&2; cat "$1" >&2; return 1
}

run_s1() {  # NAME PID URL [extra options]
  local name=$1 server_pid=$2 url=$3; shift 3
  echo "# $(date -u +%FT%TZ) $name; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  taskset -c 1 "$bench" s1 --url "$url" --server-pid "$server_pid" "$@" >"$out/$name.out"
  grep '^{' "$out/$name.out" | tail -1 >"$out/$name.json"
  grep '^|' "$out/$name.out"
}

if [[ " ${SKIP:-} " != *" relayer "* ]]; then
  data=$(mktemp -d /tmp/relayer-compare.XXXXXX)
  taskset -c 0 "$build/apps/relayer" serve --dev --data "$data" --listen 127.0.0.1:7300 --threads 1 \
    >"$out/relayer-server.log" 2>&1 &
  pid=$!
  wait_for "$out/relayer-server.log" listening
  run_s1 relayer "$pid" http://127.0.0.1:7300 --data "$data" "$@"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; rm -rf "$data"
fi

if [[ " ${SKIP:-} " != *" relay "* ]]; then
  [ -d "$here/relay/node_modules" ] || npm ci --prefix "$here/relay" --silent
  taskset -c 0 node "$here/relay/relay.js" --listen 127.0.0.1:7400 >"$out/relay-server.log" 2>&1 &
  pid=$!
  wait_for "$out/relay-server.log" listening
  run_s1 relay "$pid" http://127.0.0.1:7400 --protocol relay "$@"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
fi

if [[ " ${SKIP:-} " != *" ejabberd "* ]]; then
  conversations=1000
  args=("$@")
  for ((i = 0; i < ${#args[@]}; i++)); do
    [ "${args[$i]}" = --conversations ] && conversations=${args[$((i + 1))]}
  done
  dir=$(mktemp -d /tmp/ejabberd-compare.XXXXXX)
  "$here/ejabberd/start.sh" "$dir" --users "$conversations" >"$out/ejabberd-start.log" 2>&1 ||
    { cat "$out/ejabberd-start.log" >&2; exit 1; }
  beam=$(pgrep -f "beam.*$dir" | head -1 || true)
  for p in $(pgrep -f "beam.*$dir" || true); do taskset -a -p -c 0 "$p" >/dev/null; done
  run_s1 ejabberd "${beam:-0}" http://127.0.0.1:5222 --protocol xmpp "$@" || true
  "$here/ejabberd/stop.sh" "$dir" >/dev/null 2>&1 || true
  rm -rf "$dir"
fi

node -e '
  const fs = require("fs");
  const max = n => { try { return JSON.parse(fs.readFileSync(process.argv[1] + "/" + n + ".json")).max_sustained_rate; } catch { return null; } };
  const r = max("relayer"), c = max("relay"), e = max("ejabberd");
  console.log(`| max sustained S1 rate | Relayer ${r} | relay ${c} | ejabberd ${e} |`);
  if (r != null && c) console.log(`| Relayer / relay ceiling | ${(100 * r / c).toFixed(1)}% |`);
  if (r != null && e) console.log(`| Relayer / ejabberd | ${(r / e).toFixed(2)}× |`);
' "$out"
