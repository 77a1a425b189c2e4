#!/usr/bin/env bash
# S1 against one service in three shapes, one after the other, with the same staircase and pinning
# (issue 7, docs/benchmarks.md "Scale-out"):
#   sqlite  1 node on SQLite (the default store)
#   pg      1 node on PostgreSQL
#   pg2     2 nodes on PostgreSQL + Redis; user i of the bench uses node i mod 2, so every sender
#           is on node 0 and every recipient on node 1: each message and receipt crosses Redis.
# Everything the service runs (the relayer nodes, PostgreSQL, Redis) is pinned to core 0 and the
# bench to core 1, as bench/run.sh does for one server: the service gets one core in every shape.
# PostgreSQL and Redis come from scripts/services.sh (throwaway, loopback), with fsync turned back
# on so that an acknowledged message is on disk, as with SQLite's synchronous=FULL.
#
# Usage: bench/scaleout.sh BUILD_DIR OUT_DIR [SHAPES] -- [relayer-bench s1 options...]
#   bench/scaleout.sh build-bench /tmp/scaleout "sqlite pg pg2" -- --conversations 1000 --rates 100,250,500,750,1000
# Writes OUT_DIR/SHAPE.out (the bench's JSON line and Markdown rows), SHAPE.log (its progress)
# and SHAPE-node*.log (the servers' output).
set -euo pipefail
cd "$(dirname "$0")/.."
build=$1 out=$2 shapes="sqlite pg pg2"
shift 2
if [[ $# -gt 0 && $1 != -- ]]; then shapes=$1; shift; fi
if [[ ${1:-} == -- ]]; then shift; fi
mkdir -p "$out"
base_port=${PORT:-7300}

source ./scripts/services.sh
psql "$RELAYER_TEST_PG" -Xq -c "ALTER SYSTEM SET fsync = on" >/dev/null
psql "$RELAYER_TEST_PG" -Xq -c "SELECT pg_reload_conf()" >/dev/null
pin_service_engines() {
  local postmaster
  postmaster=$(head -n 1 "$relayer_services_dir/pg/postmaster.pid")
  for pid in "$postmaster" $(pgrep -P "$postmaster") $(cat "$relayer_services_dir/redis.pid"); do
    taskset -a -p -c 0 "$pid" >/dev/null
  done
}
pin_service_engines

# CPU seconds used so far by PostgreSQL (every process of the instance, and the backends that
# already exited, which the postmaster's cutime/cstime hold) and Redis.
engine_cpu_seconds() {
  local postmaster ticks
  postmaster=$(head -n 1 "$relayer_services_dir/pg/postmaster.pid")
  ticks=$(for pid in "$postmaster" $(pgrep -P "$postmaster") $(cat "$relayer_services_dir/redis.pid"); do
    # Fields after the ")" of the command name: utime is the 12th, stime 13th, cutime 14th,
    # cstime 15th.
    sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk -v pm=$((pid == postmaster)) \
      '{ t = $12 + $13; if (pm) t += $14 + $15; print t }'
  done | awk '{ s += $1 } END { print s + 0 }')
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}

nodes=() data_dirs=()
stop_nodes() {
  for pid in "${nodes[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${nodes[@]}"; do wait "$pid" 2>/dev/null || true; done
  for d in "${data_dirs[@]}"; do rm -rf "$d"; done
  nodes=() data_dirs=()
}
trap 'stop_nodes; relayer_services_stop' EXIT

# start_node INDEX SHAPE [serve flags...]: node INDEX on port base+INDEX, pinned to core 0.
start_node() {
  local index=$1 shape=$2 data log
  shift 2
  data=$(mktemp -d /tmp/relayer-scaleout.XXXXXX)
  data_dirs+=("$data")
  # Every node serves the same dev app: node 0 creates it, the others get a copy.
  if ((index > 0)); then cp -a "${data_dirs[0]}/dev" "$data/"; fi
  log="$out/$shape-node$index.log"
  taskset -c 0 "$build/apps/relayer" serve --dev --data "$data" \
    --listen "127.0.0.1:$((base_port + index))" --threads 1 "$@" >"$log" 2>&1 &
  nodes+=($!)
  for _ in $(seq 100); do grep -q listening "$log" && return 0; sleep 0.1; done
  echo "node $index of $shape did not start:" >&2
  tail -20 "$log" >&2
  return 1
}

for shape in $shapes; do
  db=""
  if [[ $shape != sqlite ]]; then
    db="scaleout_${shape}_$$"
    psql "$RELAYER_TEST_PG" -Xq -c "CREATE DATABASE $db" >/dev/null
  fi
  store="${RELAYER_TEST_PG%/*}/$db"
  case $shape in
    sqlite) start_node 0 "$shape" ;;
    pg) start_node 0 "$shape" --store "$store" ;;
    pg2)
      start_node 0 "$shape" --store "$store" --redis "$RELAYER_TEST_REDIS"
      start_node 1 "$shape" --store "$store" --redis "$RELAYER_TEST_REDIS"
      ;;
    *) echo "unknown shape $shape" >&2; exit 2 ;;
  esac
  pin_service_engines  # backends forked for the new nodes inherit it anyway; this is a check
  extra=(--server-pid "${nodes[0]}")
  if ((${#nodes[@]} > 1)); then
    extra+=(--node-url "http://127.0.0.1:$((base_port + 1))" --node-pid "${nodes[1]}")
  fi
  echo "# $shape $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out/$shape.log" >&2
  status=0
  engines_before=$(engine_cpu_seconds)
  taskset -c 1 "$build/bench/relayer-bench" s1 --url "http://127.0.0.1:$base_port" \
    --data "${data_dirs[0]}" "${extra[@]}" "$@" >"$out/$shape.out" 2>>"$out/$shape.log" || status=$?
  engines_after=$(engine_cpu_seconds)
  # Messages sent in all steps (setup included in the engines' CPU, so an upper bound per message).
  sent=$(grep '^{' "$out/$shape.out" | tail -n 1 | grep -o '"sent":[0-9]*' | cut -d: -f2 |
    awk '{ s += $1 } END { print s + 0 }')
  echo "engines (PostgreSQL + Redis) CPU seconds during the run: $engines_before -> $engines_after," \
    "messages sent: $sent" | tee "$out/$shape.engines" >&2
  tail -n +2 "$out/$shape.out" >&2
  for pid in "${nodes[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "# $shape: a node died (pid $pid)" >&2; status=3; }
  done
  stop_nodes
  if [[ -n $db ]]; then
    psql "$RELAYER_TEST_PG" -Xq -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
  fi
  ((status == 0)) || echo "# $shape: exit status $status" >&2
done
