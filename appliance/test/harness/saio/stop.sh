#!/usr/bin/env bash
# Stop the SAIO started by start.sh BASE_DIR.
#
# Usage: stop.sh BASE_DIR
#
# Kills exactly the processes recorded in BASE_DIR/run/*.pid (proxy, account,
# container, object servers, memcached, log sink). A pid is only signalled if
# its /proc start time still matches the one recorded at start (no pid-reuse
# accidents). Each Swift server runs in its own process group (it calls
# setsid), with its forked worker in that group; SIGTERM to the server makes
# it stop its own group, and if anything in that group outlives the grace
# period the group (whose leader is the recorded pid) gets SIGKILL.
# Data under BASE_DIR/srv is kept (start.sh with SAIO_RESET=1 wipes it); if
# start.sh mounted the XFS image BASE_DIR/srv.img on BASE_DIR/srv, it is
# unmounted here.
#
# Copied from the team's shared SAIO tools (tools/saio/stop.sh in the shared
# workspace); only this note was added. The parity tests use this copy so that
# nothing outside the repository is referenced at run time.
set -uo pipefail

[ $# -eq 1 ] || { echo "usage: $0 BASE_DIR" >&2; exit 2; }
[ -d "$1/run" ] || { echo "[saio] nothing to stop: $1/run does not exist" >&2; exit 0; }
RUN=$(cd "$1/run" && pwd -P)
GRACE=${SAIO_STOP_GRACE:-15}

proc_start() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null || true; }
pgid_of() { ps -o pgid= -p "$1" 2>/dev/null | tr -d ' ' || true; }
group_alive() { kill -0 -- "-$1" 2>/dev/null; }

declare -a PIDS=() GROUPS_=() NAMES=()
# proxy first, then backends, then memcached and the log sink
for name in proxy account container object memcached logd; do
  pf=$RUN/$name.pid
  [ -f "$pf" ] || continue
  pid=$(cat "$pf" 2>/dev/null || true)
  st=$(cat "$RUN/$name.start" 2>/dev/null || true)
  if [[ $pid =~ ^[0-9]+$ ]] && [ -n "$st" ] && [ "$(proc_start "$pid")" = "$st" ]; then
    grp=0
    [ "$(pgid_of "$pid")" = "$pid" ] && grp=1   # it leads its own group
    kill -TERM "$pid" 2>/dev/null || true
    PIDS+=("$pid"); GROUPS_+=("$grp"); NAMES+=("$name")
    echo "[saio] SIGTERM $name (pid $pid)" >&2
  else
    echo "[saio] $name (pid ${pid:-?}) not running" >&2
    rm -f "$pf" "$RUN/$name.start"
  fi
done

deadline=$((SECONDS + GRACE))
for i in "${!PIDS[@]}"; do
  pid=${PIDS[$i]}; grp=${GROUPS_[$i]}; name=${NAMES[$i]}
  while [ $SECONDS -lt $deadline ]; do
    if [ "$grp" = 1 ]; then group_alive "$pid" || break
    else kill -0 "$pid" 2>/dev/null || break; fi
    sleep 0.2
  done
  if [ "$grp" = 1 ] && group_alive "$pid"; then
    echo "[saio] SIGKILL process group of $name (pgid $pid)" >&2
    kill -KILL -- "-$pid" 2>/dev/null || true
  elif [ "$grp" = 0 ] && kill -0 "$pid" 2>/dev/null; then
    echo "[saio] SIGKILL $name (pid $pid)" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN/$name.pid" "$RUN/$name.start"
done
rm -f "$RUN/log.sock"
# unmount the XFS loopback image that start.sh mounted (data stays in srv.img)
if [ -f "$RUN/srv.mounted" ]; then
  mnt=$(cat "$RUN/srv.mounted")
  if mountpoint -q "$mnt" 2>/dev/null; then
    if umount "$mnt"; then echo "[saio] unmounted $mnt" >&2
    else echo "[saio] WARNING: could not unmount $mnt" >&2; exit 1; fi
  fi
  rm -f "$RUN/srv.mounted"
fi
echo "[saio] stopped" >&2
