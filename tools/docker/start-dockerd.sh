#!/usr/bin/env bash
# Start a local Docker engine if none answers. Idempotent.
#  - installs Debian's docker.io when dockerd is missing (needs root);
#  - starts dockerd in the background, logging to $DOCKERD_LOG;
#  - waits (bounded by DOCKERD_WAIT_SECONDS, default 60) until `docker info` answers.
# Before it starts dockerd it records what dockerd changes on the host (ip_forward, the bridge
# netfilter sysctls, the iptables FORWARD policy, whether Docker's chains and docker0 were
# there) in $DOCKERD_HOST_STATE; stop-dockerd.sh puts the host back from that record.
set -euo pipefail

DOCKERD_LOG="${DOCKERD_LOG:-/var/log/canton-ha-dockerd.log}"
DOCKERD_PIDFILE="${DOCKERD_PIDFILE:-/var/run/canton-ha-dockerd.pid}"
DOCKERD_HOST_STATE="${DOCKERD_HOST_STATE:-/var/run/canton-ha-dockerd.host-state}"
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

# What dockerd will change, as it is now (one `key=value` a line). A record left by an earlier
# start whose dockerd is gone (no stop-dockerd.sh) is older and truer: keep it.
if [[ ! -s "$DOCKERD_HOST_STATE" ]]; then
  {
    for s in net.ipv4.ip_forward net.ipv4.conf.all.route_localnet net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables; do
      v="$(sysctl -n "$s" 2>/dev/null)" && echo "sysctl:$s=$v"
    done
    if command -v iptables >/dev/null; then
      echo "forward_policy=$(iptables -S FORWARD 2>/dev/null | awk '$1 == "-P" {print $3}')"
      iptables -S DOCKER >/dev/null 2>&1 && echo "docker_chains=present" || echo "docker_chains=absent"
    fi
    ip link show docker0 >/dev/null 2>&1 && echo "docker0=present" || echo "docker0=absent"
  } >"$DOCKERD_HOST_STATE.tmp"
  mv "$DOCKERD_HOST_STATE.tmp" "$DOCKERD_HOST_STATE"
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
