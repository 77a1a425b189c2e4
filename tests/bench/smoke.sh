#!/bin/sh
# Keeps the benchmark instrument working: runs one `relayer bench` scenario for a few seconds at
# tiny rates against a fresh server (or the relay) on loopback, then checks its JSON summary.
# Usage: smoke.sh RELAYER SERVER CHECK SCENARIO [BENCH OPTIONS...]
#   SERVER: relayer (a fresh `relayer serve --dev`), relay (bench/relay on uWebSockets.js),
#           ejabberd (bench/ejabberd/start.sh, with 5 sender/recipient pairs, on port 5222) or
#           relayer2 (two nodes on a fresh database of RELAYER_TEST_PG and on RELAYER_TEST_REDIS,
#           the bench's users split across them; exit 77, skipped, when either is unset)
#   CHECK:  a JavaScript expression over the summary `s` that must be true
set -eu
relayer=$1; server=$2; check=$3; scenario=$4; shift 4
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d /tmp/relayer-smoke.XXXXXX)
pid=
pid2=
db=
cleanup() {
  if [ -n "$pid2" ]; then kill "$pid2" 2>/dev/null || true; fi
  if [ "$server" = ejabberd ]; then "$root/bench/ejabberd/stop.sh" "$dir" >/dev/null 2>&1 || true; fi
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  if [ -n "$db" ]; then
    psql "$RELAYER_TEST_PG" -Xq -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
: >"$dir/server.log"
case $server in
  relayer) "$relayer" serve --dev --data "$dir" --listen 127.0.0.1:0 --threads 1 >"$dir/server.log" 2>&1 & ;;
  relayer2)
    if [ -z "${RELAYER_TEST_PG:-}" ] || [ -z "${RELAYER_TEST_REDIS:-}" ]; then
      echo "RELAYER_TEST_PG or RELAYER_TEST_REDIS unset: skipped"
      exit 77
    fi
    db=relayer_smoke_$$
    psql "$RELAYER_TEST_PG" -Xq -c "CREATE DATABASE $db" >/dev/null
    cluster="--store ${RELAYER_TEST_PG%/*}/$db --redis $RELAYER_TEST_REDIS"
    # shellcheck disable=SC2086
    "$relayer" serve --dev --data "$dir" --listen 127.0.0.1:0 --threads 1 $cluster >"$dir/server.log" 2>&1 & ;;
  relay) node "$root/bench/relay/relay.js" --listen 127.0.0.1:0 >"$dir/server.log" 2>&1 & ;;
  ejabberd)
    "$root/bench/ejabberd/start.sh" "$dir" --users 5 >"$dir/server.log" 2>&1 ||
      { cat "$dir/server.log" >&2; exit 1; }
    echo "listening 127.0.0.1:5222" >>"$dir/server.log"
    sleep 0 & ;;
  *) echo "unknown server $server" >&2; exit 2 ;;
esac
pid=$!
[ "$server" = ejabberd ] && pid=$(cat "$dir/beam.pid")
url=
for _ in $(seq 100); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$dir/server.log" | head -1 || true)
  [ -z "$url" ] && port=$(sed -n 's/^listening 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$dir/server.log") &&
    [ -n "$port" ] && url="http://127.0.0.1:$port"
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "the server did not start:" >&2; cat "$dir/server.log" >&2; exit 1; }
if [ "$server" = relayer2 ]; then
  # The second node serves the first one's dev app.
  mkdir "$dir/node2"
  cp -a "$dir/dev" "$dir/node2/"
  # shellcheck disable=SC2086
  "$relayer" serve --dev --data "$dir/node2" --listen 127.0.0.1:0 --threads 1 $cluster >"$dir/node2.log" 2>&1 &
  pid2=$!
  url2=
  for _ in $(seq 100); do
    url2=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$dir/node2.log" | head -1 || true)
    [ -n "$url2" ] && break
    sleep 0.1
  done
  [ -n "$url2" ] || { echo "the second node did not start:" >&2; cat "$dir/node2.log" >&2; exit 1; }
  set -- "$@" --node-url "$url2" --node-pid "$pid2"
fi
"$relayer" bench "$scenario" --url "$url" --data "$dir" --server-pid "$pid" "$@" >"$dir/out" 2>"$dir/err" ||
  { cat "$dir/err" "$dir/out" >&2; exit 1; }
cat "$dir/out"
summary=$(grep '^{' "$dir/out" | tail -1)
SUMMARY=$summary CHECK=$check node -e '
  const s = JSON.parse(process.env.SUMMARY);
  if (!eval(process.env.CHECK)) { console.error("check failed: " + process.env.CHECK); process.exit(1); }'
kill -0 "$pid" || { echo "the server died" >&2; cat "$dir/server.log" >&2; exit 1; }
if [ -n "$pid2" ]; then kill -0 "$pid2" || { echo "node 2 died" >&2; cat "$dir/node2.log" >&2; exit 1; }; fi
