#!/usr/bin/env bash
# Stops the ejabberd that bench/ejabberd/start.sh DIR started: `ejabberdctl stop` first, then
# the processes it recorded (beam.smp and the ejabberdctl shell above it), by pid.
set -uo pipefail

DIR=${1:?usage: $0 DIR}
[[ -d $DIR ]] || { echo "no $DIR" >&2; exit 2; }
DIR=$(cd "$DIR" && pwd)

pids=()
for f in beam.pid ctl.pid; do
  [[ -s $DIR/$f ]] && pids+=("$(cat "$DIR/$f")")
done
alive() {
  local p
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done
  return 1
}

if ((${#pids[@]})) && alive; then
  HOME=$DIR timeout 30 setpriv --reuid=ejabberd --regid=ejabberd --init-groups \
    /usr/sbin/ejabberdctl --config-dir "$DIR" --spool "$DIR/spool" --logs "$DIR/logs" stop \
    >/dev/null 2>&1
  for ((i = 0; i < 150 && ${#pids[@]}; i++)); do
    alive || break
    sleep 0.1
  done
  if alive; then
    echo "ejabberd: still running after 'ejabberdctl stop'; killing ${pids[*]}" >&2
    kill -TERM "${pids[@]}" 2>/dev/null
    sleep 2
    kill -KILL "${pids[@]}" 2>/dev/null
  fi
fi
rm -f "$DIR/beam.pid" "$DIR/ctl.pid"
if (exec 3<>/dev/tcp/127.0.0.1/5222) 2>/dev/null; then
  echo "ejabberd: something still listens on 127.0.0.1:5222" >&2
  exit 1
fi
echo "ejabberd stopped"
