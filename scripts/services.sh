# Sourced (not run) by scripts/test.sh: starts a throwaway PostgreSQL and Redis on 127.0.0.1 for the
# scale-out tests, exports where they are, and stops both when the sourcing shell exits.
#
#   RELAYER_TEST_PG     libpq URI of an empty database, e.g. postgresql://postgres@127.0.0.1:PORT/relayer_test
#   RELAYER_TEST_REDIS  host:port of the Redis server
#
# Everything lives in one temporary folder (data, logs, unix sockets) that is removed on exit.
# PostgreSQL refuses to run as root, so as root its processes run as the `postgres` user that
# Debian's package creates. Installs nothing: scripts/setup.sh --with-tests does that.
# Sets an EXIT trap (replacing any earlier one) that calls relayer_services_stop.

relayer_services_dir=""
relayer_services_pg_bin=""

# A port nobody listens on now. Check-then-use can race with another process; the bounded waits
# below then fail with the engine's log instead of hanging.
relayer_free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  echo "services: no free port found" >&2
  return 1
}

# Runs a command as the PostgreSQL owner: ourselves, or `postgres` when we are root.
relayer_as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

relayer_services_stop() {
  [[ -n "$relayer_services_dir" ]] || return 0
  if [[ -n "${RELAYER_TEST_REDIS:-}" ]]; then
    redis-cli -h 127.0.0.1 -p "${RELAYER_TEST_REDIS##*:}" shutdown nosave >/dev/null 2>&1 || true
  fi
  if [[ -f "$relayer_services_dir/pg/postmaster.pid" ]]; then
    relayer_as_pg "$relayer_services_pg_bin/pg_ctl" stop -D "$relayer_services_dir/pg" -m fast \
      -w -t 30 >/dev/null 2>&1 || true
  fi
  rm -rf "$relayer_services_dir"
  relayer_services_dir=""
  unset RELAYER_TEST_PG RELAYER_TEST_REDIS
}

relayer_services_fail() {
  echo "services: $1" >&2
  for log in "$relayer_services_dir"/*.log; do
    [[ -f "$log" ]] && { echo "--- $log" >&2; tail -n 20 "$log" >&2; }
  done
  relayer_services_stop
  return 1
}

relayer_services_start() {
  local bins pg_port redis_port
  # The newest installed major version (Debian 12: 15).
  bins=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [[ -x "$bins/initdb" ]] || { echo "services: no PostgreSQL under /usr/lib/postgresql" >&2; return 1; }
  command -v redis-server >/dev/null || { echo "services: redis-server not installed" >&2; return 1; }
  relayer_services_pg_bin=$bins

  relayer_services_dir=$(mktemp -d /tmp/relayer-services.XXXXXX)
  chmod 755 "$relayer_services_dir"
  if [[ $(id -u) -eq 0 ]]; then chown postgres: "$relayer_services_dir"; fi
  trap relayer_services_stop EXIT

  pg_port=$(relayer_free_port) || { relayer_services_fail "no port for PostgreSQL"; return 1; }
  relayer_as_pg "$bins/initdb" -D "$relayer_services_dir/pg" -U postgres -A trust -E UTF8 \
    --no-locale >"$relayer_services_dir/initdb.log" 2>&1 ||
    { relayer_services_fail "initdb failed"; return 1; }
  # fsync off: the data is thrown away, durability buys nothing here.
  relayer_as_pg "$bins/pg_ctl" start -D "$relayer_services_dir/pg" -w -t 30 \
    -l "$relayer_services_dir/postgres.log" \
    -o "-p $pg_port -k $relayer_services_dir -c listen_addresses=127.0.0.1 -c fsync=off" \
    >/dev/null 2>&1 || { relayer_services_fail "PostgreSQL did not start"; return 1; }

  redis_port=$(relayer_free_port) || { relayer_services_fail "no port for Redis"; return 1; }
  redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --daemonize yes \
    --dir "$relayer_services_dir" --pidfile "$relayer_services_dir/redis.pid" \
    --logfile "$relayer_services_dir/redis.log" >/dev/null ||
    { relayer_services_fail "Redis did not start"; return 1; }
  export RELAYER_TEST_REDIS="127.0.0.1:$redis_port"

  local pg_ok="" redis_ok=""
  for _ in $(seq 1 60); do
    [[ -z "$pg_ok" ]] && "$bins/pg_isready" -q -h 127.0.0.1 -p "$pg_port" && pg_ok=1
    [[ -z "$redis_ok" ]] && [[ $(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null) == PONG ]] &&
      redis_ok=1
    [[ -n "$pg_ok" && -n "$redis_ok" ]] && break
    sleep 0.5
  done
  [[ -n "$pg_ok" ]] || { relayer_services_fail "PostgreSQL did not answer within 30 s"; return 1; }
  [[ -n "$redis_ok" ]] || { relayer_services_fail "Redis did not answer within 30 s"; return 1; }

  "$bins/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres relayer_test ||
    { relayer_services_fail "createdb failed"; return 1; }
  export RELAYER_TEST_PG="postgresql://postgres@127.0.0.1:$pg_port/relayer_test"
  echo "services: PostgreSQL at $RELAYER_TEST_PG, Redis at $RELAYER_TEST_REDIS"
}

relayer_services_start
