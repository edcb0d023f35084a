#!/usr/bin/env bash
# Stop the dockerd started by start-dockerd.sh (by its pid file only), then put the host back
# as start-dockerd.sh recorded it ($DOCKERD_HOST_STATE). Idempotent.
#
# dockerd leaves behind, on a clean stop: ip_forward=1 and the bridge netfilter sysctls, the
# iptables FORWARD policy DROP, its chains (filter DOCKER, DOCKER-USER,
# DOCKER-ISOLATION-STAGE-1/2; nat DOCKER) with the jumps into them, its bridges' FORWARD and
# MASQUERADE rules, and the bridges (docker0, br-<network id>). This script removes what was
# not there before, and only that:
#   - rules are removed one by one when they jump into Docker's chains or name one of
#     Docker's bridges or subnets, never by flushing a built-in chain: the project's cluster
#     (tools/cluster) keeps its own FORWARD ACCEPT rules in CANTONHA-* chains, which stay;
#   - ip_forward and the bridge sysctls go back to their recorded values unless the cluster
#     runs (its CANTONHA-FORWARD chain exists): it needs forwarding, and its down.sh restores
#     them from its own record;
#   - the FORWARD policy goes back to the recorded one.
# Without a record (dockerd started some other way, or before this script recorded), the
# host is left as dockerd left it, and the script says so. IPv6: dockerd here has no IPv6
# networks and does not touch ip6tables.
#   tools/docker/stop-dockerd.sh [--dry-run]    (--dry-run: print the host clean-up, change nothing)
set -euo pipefail

DOCKERD_PIDFILE="${DOCKERD_PIDFILE:-/var/run/canton-ha-dockerd.pid}"
DOCKERD_HOST_STATE="${DOCKERD_HOST_STATE:-/var/run/canton-ha-dockerd.host-state}"
WAIT="${DOCKERD_WAIT_SECONDS:-30}"
dry=false
[[ "${1:-}" == --dry-run ]] && dry=true

run() { if $dry; then echo "would run: $*"; else "$@"; fi; }
recorded() { sed -n "s/^$1=//p" "$DOCKERD_HOST_STATE" 2>/dev/null | head -1; }

# Docker's bridges and subnets, asked while dockerd still answers.
bridges=(docker0) subnets=() ips=
if docker info >/dev/null 2>&1; then
  for id in $(docker network ls -q --filter driver=bridge); do
    IFS='|' read -r name short sub ips < <(docker network inspect -f '{{index .Options "com.docker.network.bridge.name"}}|{{printf "%.12s" .Id}}|{{range .IPAM.Config}}{{.Subnet}} {{end}}|{{range .Containers}}{{.IPv4Address}} {{end}}' "$id")
    # a network without a bridge.name option gets br-<first 12 of its id>
    [[ -z "$name" || "$name" == "<no value>" ]] && name="br-$short"
    [[ "$name" == docker0 ]] || bridges+=("$name")
    [[ -n "${sub:-}" ]] && subnets+=($sub)
    # a published port's hairpin MASQUERADE rule names the container's address: -s <ip>/32
    for ip in ${ips:-}; do subnets+=("${ip%/*}/32"); done
  done
fi

stop_daemon() {
  if [[ ! -s "$DOCKERD_PIDFILE" ]]; then
    echo "dockerd: no pid file at $DOCKERD_PIDFILE; nothing to stop"
    return 1
  fi
  local pid i
  pid="$(cat "$DOCKERD_PIDFILE")"
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "dockerd: pid $pid is not running"
    rm -f "$DOCKERD_PIDFILE"
    return 0
  fi
  kill -TERM "$pid"
  for ((i = 0; i < WAIT; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "dockerd: stopped (pid $pid) after ${i}s"
      return 0
    fi
    sleep 1
  done
  echo "dockerd: pid $pid still running after ${WAIT}s" >&2
  exit 1
}

restore_host() {
  if [[ ! -s "$DOCKERD_HOST_STATE" ]]; then
    echo "dockerd: no record of the host before dockerd started ($DOCKERD_HOST_STATE): iptables, sysctls and bridges left as dockerd left them"
    return 0
  fi
  local cluster=false b s rule t ch pattern
  iptables -S CANTONHA-FORWARD >/dev/null 2>&1 && cluster=true
  if command -v iptables >/dev/null && [[ "$(recorded docker_chains)" == absent ]]; then
    pattern="-j DOCKER(-[A-Z0-9-]+)?( |\$)"
    for b in "${bridges[@]}"; do pattern+="|-[io] $b( |\$)"; done
    for s in "${subnets[@]}"; do pattern+="|-s ${s//./\\.}( |\$)"; done
    for t in filter nat; do
      { iptables -t "$t" -S | grep -E '^-A (FORWARD|PREROUTING|OUTPUT|POSTROUTING) ' | grep -E -- "$pattern" || true; } |
        while read -r rule; do eval "run iptables -t $t ${rule/-A /-D }"; done
    done
    for ch in DOCKER DOCKER-USER DOCKER-ISOLATION-STAGE-1 DOCKER-ISOLATION-STAGE-2; do
      iptables -S "$ch" >/dev/null 2>&1 && { run iptables -F "$ch"; run iptables -X "$ch"; }
    done
    iptables -t nat -S DOCKER >/dev/null 2>&1 && { run iptables -t nat -F DOCKER; run iptables -t nat -X DOCKER; }
    echo "dockerd: Docker's iptables chains and rules removed (they were not there before)"
  fi
  local policy
  policy="$(recorded forward_policy)"
  if [[ -n "$policy" && "$(iptables -S FORWARD 2>/dev/null | awk '$1 == "-P" {print $3}')" != "$policy" ]]; then
    run iptables -P FORWARD "$policy"
    echo "dockerd: FORWARD policy back to $policy"
  fi
  while IFS='=' read -r key val; do
    [[ "$key" == sysctl:* ]] || continue
    key="${key#sysctl:}"
    [[ "$(sysctl -n "$key" 2>/dev/null)" == "$val" ]] && continue
    if $cluster; then
      echo "dockerd: the cluster runs (CANTONHA-FORWARD): leaving $key=$(sysctl -n "$key") (was $val before dockerd; the cluster's down.sh restores it)"
    else
      run sysctl -qw "$key=$val"
      echo "dockerd: sysctl $key=$val restored"
    fi
  done <"$DOCKERD_HOST_STATE"
  for b in "${bridges[@]}"; do
    [[ "$b" == docker0 && "$(recorded docker0)" == present ]] && continue
    ip link show "$b" >/dev/null 2>&1 && run ip link del "$b" && echo "dockerd: bridge $b removed"
  done
  $dry || rm -f "$DOCKERD_HOST_STATE"
}

if $dry; then
  restore_host
  exit 0
fi
stop_daemon || exit 0
restore_host
