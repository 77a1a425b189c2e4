#!/bin/sh
# Keeps the benchmark instrument working: runs one `relayer bench` scenario for a few seconds at
# tiny rates against a fresh server (or the relay) on loopback, then checks its JSON summary.
# Usage: smoke.sh RELAYER SERVER CHECK SCENARIO [BENCH OPTIONS...]
#   SERVER: relayer (a fresh `relayer serve --dev`), relay (bench/relay on uWebSockets.js) or
#           ejabberd (bench/ejabberd/start.sh, with 5 sender/recipient pairs, on port 5222)
#   CHECK:  a JavaScript expression over the summary `s` that must be true
set -eu
relayer=$1; server=$2; check=$3; scenario=$4; shift 4
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d /tmp/relayer-smoke.XXXXXX)
pid=
cleanup() {
  if [ "$server" = ejabberd ]; then "$root/bench/ejabberd/stop.sh" "$dir" >/dev/null 2>&1 || true; fi
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
: >"$dir/server.log"
case $server in
  relayer) "$relayer" serve --dev --data "$dir" --listen 127.0.0.1:0 --threads 1 >"$dir/server.log" 2>&1 & ;;
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
"$relayer" bench "$scenario" --url "$url" --data "$dir" --server-pid "$pid" "$@" >"$dir/out" 2>"$dir/err" ||
  { cat "$dir/err" "$dir/out" >&2; exit 1; }
cat "$dir/out"
summary=$(grep '^{' "$dir/out" | tail -1)
SUMMARY=$summary CHECK=$check node -e '
  const s = JSON.parse(process.env.SUMMARY);
  if (!eval(process.env.CHECK)) { console.error("check failed: " + process.env.CHECK); process.exit(1); }'
kill -0 "$pid" || { echo "the server died" >&2; cat "$dir/server.log" >&2; exit 1; }
