#!/usr/bin/env bash
# Stop the dockerd started by start-dockerd.sh (by its pid file only). Idempotent.
set -euo pipefail

DOCKERD_PIDFILE="${DOCKERD_PIDFILE:-/var/run/canton-ha-dockerd.pid}"
WAIT="${DOCKERD_WAIT_SECONDS:-30}"

if [[ ! -s "$DOCKERD_PIDFILE" ]]; then
  echo "dockerd: no pid file at $DOCKERD_PIDFILE; nothing to stop"
  exit 0
fi
pid="$(cat "$DOCKERD_PIDFILE")"
if ! kill -0 "$pid" 2>/dev/null; then
  echo "dockerd: pid $pid is not running"
  rm -f "$DOCKERD_PIDFILE"
  exit 0
fi
kill -TERM "$pid"
for ((i = 0; i < WAIT; i++)); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "dockerd: stopped (pid $pid) after ${i}s"
    exit 0
  fi
  sleep 1
done
echo "dockerd: pid $pid still running after ${WAIT}s" >&2
exit 1
