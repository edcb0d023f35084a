#!/usr/bin/env bash
# Start a local Docker engine if none answers. Idempotent.
#  - installs Debian's docker.io when dockerd is missing (needs root);
#  - starts dockerd in the background, logging to $DOCKERD_LOG;
#  - waits (bounded by DOCKERD_WAIT_SECONDS, default 60) until `docker info` answers.
set -euo pipefail

DOCKERD_LOG="${DOCKERD_LOG:-/var/log/canton-ha-dockerd.log}"
DOCKERD_PIDFILE="${DOCKERD_PIDFILE:-/var/run/canton-ha-dockerd.pid}"
WAIT="${DOCKERD_WAIT_SECONDS:-60}"

if docker info >/dev/null 2>&1; then
  echo "dockerd: already running ($(docker info --format '{{.ServerVersion}} {{.Driver}}' 2>/dev/null))"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "dockerd: not installed; installing Debian's docker.io"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi

# The Debian package may bring its own docker client; either client works.
echo "dockerd: starting (log: $DOCKERD_LOG)"
nohup dockerd --pidfile "$DOCKERD_PIDFILE" >"$DOCKERD_LOG" 2>&1 &
started_pid=$!

for ((i = 0; i < WAIT; i++)); do
  if docker info >/dev/null 2>&1; then
    echo "dockerd: up after ${i}s, pid $started_pid ($(docker info --format '{{.ServerVersion}} {{.Driver}}'))"
    exit 0
  fi
  if ! kill -0 "$started_pid" 2>/dev/null; then
    echo "dockerd: exited during start-up; last log lines:" >&2
    tail -n 20 "$DOCKERD_LOG" >&2 || true
    exit 1
  fi
  sleep 1
done

echo "dockerd: did not answer within ${WAIT}s; last log lines:" >&2
tail -n 20 "$DOCKERD_LOG" >&2 || true
exit 1
