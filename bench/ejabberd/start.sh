#!/usr/bin/env bash
# Starts an ejabberd for the benchmark's XMPP runs, on loopback only, with everything in DIR:
#   bench/ejabberd/start.sh DIR [--users N] [--prefix P] [USERS_FILE]
#   bench/ejabberd/start.sh --install-only
# creates PsenderI and PrecipientI for I in 0..N-1 (and each line of USERS_FILE), all with the
# password "password", installs ejabberd with apt if it is missing, and returns once port 5222
# accepts connections. bench/ejabberd/stop.sh DIR stops it. See bench/ejabberd/README.md.
set -euo pipefail

usage() {
  echo "usage: $0 DIR [--users N] [--prefix P] [USERS_FILE]" >&2
  exit 2
}

DIR=""
USERS=0
PREFIX=""
USERS_FILE=""
INSTALL_ONLY=0
while (($#)); do
  case $1 in
    --install-only) INSTALL_ONLY=1; shift ;;
    --users) USERS=${2:?}; shift 2 ;;
    --prefix) PREFIX=${2-}; shift 2 ;;
    -h | --help) usage ;;
    *)
      if [[ -z $DIR ]]; then DIR=$1; elif [[ -z $USERS_FILE ]]; then USERS_FILE=$1; else usage; fi
      shift
      ;;
  esac
done
[[ -n $DIR || $INSTALL_ONLY == 1 ]] || usage
[[ $USERS =~ ^[0-9]+$ ]] || usage
[[ -z $USERS_FILE || -r $USERS_FILE ]] || { echo "cannot read $USERS_FILE" >&2; exit 2; }
[[ $PREFIX =~ ^[a-z0-9_.-]*$ ]] || { echo "--prefix: lowercase letters, digits, _ . - only" >&2; exit 2; }

PORT=5222
DIST_PORT=5210 # Erlang distribution (ejabberdctl talks to the node through it), loopback too
NODE=benchejabberd@localhost

# --- install -------------------------------------------------------------------------------------
# erlang-p1-sqlite3 is only "Suggested" by ejabberd, and without it the SQL backend cannot start.
PACKAGES=(ejabberd erlang-p1-sqlite3 sqlite3)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "ejabberd: installing ${missing[*]}" >&2
  # Debian's postinst starts the system service (listening on 0.0.0.0); a policy-rc.d that exits
  # 101 tells invoke-rc.d not to. Docker images ship one already: leave theirs in place.
  policy=/usr/sbin/policy-rc.d
  ours=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >$policy
    chmod +x $policy
    ours=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if ((ours)); then rm -f $policy && trap - EXIT; fi
fi
((INSTALL_ONLY)) && exit 0  # scripts/setup.sh --with-tests installs it ahead of the tests
# Whatever started it (an older install, systemd), the system instance must not run beside ours.
system_instance() { pgrep -u ejabberd -f -- '-s?name ejabberd@' >/dev/null 2>&1; }
if system_instance; then
  echo "ejabberd: stopping the system service" >&2
  systemctl stop ejabberd 2>/dev/null || /etc/init.d/ejabberd stop >/dev/null 2>&1 || true
  if system_instance; then
    echo "ejabberd: the system instance (node ejabberd@...) still runs; stop it first" >&2
    exit 1
  fi
fi

SQL_SCHEMA=/usr/share/ejabberd/sql/lite.sql
[[ -r $SQL_SCHEMA ]] || { echo "ejabberd: no $SQL_SCHEMA (dpkg -L ejabberd)" >&2; exit 1; }
EJABBERDCTL=/usr/sbin/ejabberdctl

if (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; then
  echo "ejabberd: something already listens on 127.0.0.1:$PORT (bench/ejabberd/stop.sh DIR?)" >&2
  exit 1
fi

# --- config --------------------------------------------------------------------------------------
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
rm -rf "$DIR/logs" "$DIR/spool" # Mnesia (sessions, caches) and logs of an earlier run
mkdir -p "$DIR/logs" "$DIR/spool"
DB=$DIR/ejabberd.db
rm -f "$DB" "$DB-journal" "$DB-wal" "$DB-shm" # a fresh archive each run: comparable figures

cat >"$DIR/ejabberd.yml" <<EOF
# Written by bench/ejabberd/start.sh for the benchmark; see bench/ejabberd/README.md.
hosts:
  - localhost
loglevel: warning
log_rotate_count: 0

# Everything in one SQLite file in DIR, as Relayer keeps its store in one.
default_db: sql
sql_type: sqlite
sql_database: "$DB"
new_sql_schema: false
auth_method: sql
auth_password_format: plain

# The benchmark pushes tens of thousands of stanzas/s through a few sockets: no traffic shaping
# and no caps that a normal deployment would use to protect itself from one client.
max_fsm_queue: 1000000
# Every cache (auth, roster, MAM preferences) holds 1,000 entries by default: with thousands of
# users they would thrash and turn each message into extra SELECTs.
cache_size: 100000
shaper_rules:
  c2s_shaper: none
  s2s_shaper: none
  max_user_sessions: 10
  max_user_offline_messages: infinity

listen:
  -
    port: $PORT
    ip: "127.0.0.1"
    module: ejabberd_c2s
    shaper: none
    max_stanza_size: 1048576
    max_fsm_queue: 1000000
    starttls: false
    starttls_required: false

# No s2s listener and no HTTP listeners; no outgoing s2s either.
s2s_access: none
acl:
  local:
    user_regexp: ""
access_rules:
  local:
    allow: local

modules:
  mod_disco: {}
  mod_ping: {}
  mod_roster:
    versioning: true
  mod_offline:
    access_max_user_messages: max_user_offline_messages
  mod_stream_mgmt:
    max_ack_queue: 100000
    resend_on_timeout: if_offline
  mod_mam:
    default: always
    assume_mam_usage: true
EOF

cat >"$DIR/ejabberdctl.cfg" <<EOF
# Read by ejabberdctl --config-dir $DIR.
ERLANG_NODE=$NODE
# No epmd: the node listens for ejabberdctl on a fixed port, on loopback only.
ERL_DIST_PORT=$DIST_PORT
INET_DIST_INTERFACE=127.0.0.1
ERL_EPMD_ADDRESS=127.0.0.1
# Schedulers that spin while idle would burn the core the bench needs and inflate the CPU the
# report charges to ejabberd.
ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0 +sbwt none +sbwtdcpu none +sbwtdio none"
ERL_MAX_PORTS=32000
EJABBERD_PID_PATH=$DIR/ejabberd.pid
CONTRIB_MODULES_CONF_DIR=$DIR/modules.d
EOF
cp /etc/ejabberd/inetrc "$DIR/inetrc" 2>/dev/null || echo '{lookup,["file","native"]}.' >"$DIR/inetrc"

# --- users ---------------------------------------------------------------------------------------
# `ejabberdctl register` costs about a second per user; rows inserted into the schema's users
# table before the start cost microseconds (auth_method sql, auth_password_format plain).
START_USERS=$(date +%s%N)
{
  echo "BEGIN;"
  cat "$SQL_SCHEMA"
  for ((i = 0; i < USERS; i++)); do
    echo "INSERT INTO users(username, password) VALUES ('${PREFIX}sender_$i', 'password');"
    echo "INSERT INTO users(username, password) VALUES ('${PREFIX}recipient_$i', 'password');"
  done
  if [[ -n $USERS_FILE ]]; then
    # One user id per line, stored lowercased as ejabberd looks them up (nodeprep case-folds).
    grep -v '^[[:space:]]*$' "$USERS_FILE" | tr -d "\r'" |
      awk '{ printf "INSERT OR IGNORE INTO users(username, password) VALUES (%c%s%c, %cpassword%c);\n", 39, tolower($1), 39, 39, 39 }'
  fi
  echo "COMMIT;"
} | sqlite3 -bail "$DB" >/dev/null
COUNT=$(sqlite3 "$DB" 'SELECT count(*) FROM users')
echo "ejabberd: $COUNT users written to $DB in $((($(date +%s%N) - START_USERS) / 1000000)) ms" >&2

chown -R ejabberd:ejabberd "$DIR"

# --- start ---------------------------------------------------------------------------------------
# Started as root, ejabberdctl switches to the ejabberd user through `su`, which resets the
# open-file limit to 1024; setpriv keeps the limit we set here.
ulimit -n 20000
cd "$DIR"
HOME=$DIR setsid setpriv --reuid=ejabberd --regid=ejabberd --init-groups \
  "$EJABBERDCTL" --config-dir "$DIR" --spool "$DIR/spool" --logs "$DIR/logs" foreground \
  </dev/null >"$DIR/logs/console.log" 2>&1 &
echo $! >"$DIR/ctl.pid"

for ((i = 0; i < 600; i++)); do
  if (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; then break; fi
  if ! kill -0 "$(cat "$DIR/ctl.pid")" 2>/dev/null; then
    echo "ejabberd: exited during start; $DIR/logs:" >&2
    tail -n 30 "$DIR/logs/console.log" "$DIR/logs/error.log" 2>/dev/null >&2 || true
    exit 1
  fi
  sleep 0.1
done
(exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null || { echo "ejabberd: 5222 not open after 60 s" >&2; exit 1; }

BEAM=$(pgrep -u ejabberd -f -- "-sname $NODE|-name $NODE" | head -n 1 || true)
[[ -n $BEAM ]] || BEAM=$(pgrep -u ejabberd beam.smp | head -n 1)
echo "$BEAM" >"$DIR/beam.pid"
FILES=$(awk '/Max open files/ { print $4 }' "/proc/$BEAM/limits")
if [[ $FILES != 20000 ]]; then
  echo "ejabberd: beam.smp $BEAM has an open-file limit of $FILES, not 20000" >&2
  exit 1
fi
LISTEN=$(ss -Hltnp | grep "pid=$BEAM," | awk '{ print $4 }' | sort | tr '\n' ' ')
case " $LISTEN" in
  *" 0.0.0.0:"* | *" *:"* | *" [::]:"*)
    echo "ejabberd: listens beyond loopback: $LISTEN" >&2
    exit 1
    ;;
esac
# Nor may anything else (a system instance, epmd) serve XMPP or Erlang beyond loopback.
if ss -Hltn | awk '{ print $4 }' | grep -Eq '^(0\.0\.0\.0|\*|\[::\]):(4369|5222|5223|5269|5280|5443)$'; then
  echo "ejabberd: something listens on an XMPP/Erlang port beyond loopback:" >&2
  ss -Hltnp | grep -E ':(4369|5222|5223|5269|5280|5443) ' >&2
  exit 1
fi

# The durability ejabberd runs with: it opens the file with the library's defaults and sets only
# foreign_keys, so the SQLite defaults apply (the journal mode is stored in the file; synchronous
# is per connection and Debian's library defaults it to FULL = 2).
JOURNAL=$(sqlite3 "$DB" 'PRAGMA journal_mode')
SYNC=$(sqlite3 "$DB" 'PRAGMA synchronous')
cat <<EOF
ejabberd pid $BEAM (beam.smp, user ejabberd, max open files $FILES), ctl pid $(cat "$DIR/ctl.pid")
listening on $LISTEN
database $DB: journal_mode=$JOURNAL synchronous=$SYNC (SQLite defaults; ejabberd sets only foreign_keys=on)
users: $COUNT (password "password"), logs in $DIR/logs
EOF
