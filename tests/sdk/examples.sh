#!/bin/sh
# Runs the examples/ programs against a fresh `relayer serve --dev` on loopback: a message sent,
# the echo bot answering, delivery confirmation seeing the bot's delivery and read receipts, and
# the conversation query paging through what that created.
# Usage: examples.sh RELAYER EXAMPLES_DIR
set -eu
relayer=$1; bin=$2
dir=$(mktemp -d /tmp/relayer-examples.XXXXXX)
pid=; bot=
cleanup() {
  [ -n "$bot" ] && kill "$bot" 2>/dev/null || true
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
"$relayer" serve --dev --data "$dir" --listen 127.0.0.1:0 --threads 1 >"$dir/server.log" 2>&1 &
pid=$!
url=
for _ in $(seq 100); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$dir/server.log" | head -1 || true)
  [ -n "$url" ] && [ -f "$dir/dev/app.json" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "the server did not start:" >&2; cat "$dir/server.log" >&2; exit 1; }

"$bin/example_send_message" "$url" "$dir" alice bob "hello bob" | tee "$dir/send.out"
grep -q 'layer:///messages/.* at position 1$' "$dir/send.out"

"$bin/example_echo_bot" "$url" "$dir" bot 30 >"$dir/bot.out" 2>&1 &
bot=$!
for _ in $(seq 100); do grep -q 'connection: connected' "$dir/bot.out" && break; sleep 0.1; done
"$bin/example_delivery_confirmation" "$url" "$dir" alice bot "ping" | tee "$dir/confirm.out"
grep -q 'delivered to everyone' "$dir/confirm.out"
grep -q 'read by everyone' "$dir/confirm.out"
for _ in $(seq 100); do grep -q 'replied to alice: ping' "$dir/bot.out" && break; sleep 0.1; done
grep -q 'replied to alice: ping' "$dir/bot.out" || { cat "$dir/bot.out" >&2; exit 1; }

"$bin/example_query_conversations" "$url" "$dir" alice 1 | tee "$dir/query.out"
grep -q '^page 2 (1 of 2)$' "$dir/query.out"
if grep -q '^page 3' "$dir/query.out"; then echo "an empty third page" >&2; exit 1; fi
grep -q 'echo: ping' "$dir/query.out"
