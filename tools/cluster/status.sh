#!/usr/bin/env bash
# Health of the cluster: every process alive (by pid file), etcd and apiserver
# healthy, node Ready, CoreDNS available, the StorageClass, every image archive
# imported, the bridge, the service route and the drop rule in place. Prints one
# line per check, the drop counter and the kubeconfig path. Exit 0 only when
# everything is healthy.
#   tools/cluster/status.sh [--quiet]
#   tools/cluster/status.sh --drop-counter   print only the egress drop counter (packets)
#   tools/cluster/status.sh --resources [s]  RSS of every cluster process (ours by pid
#                                            file, plus the shims and pods of our containerd)
#                                            and their CPU over s seconds (default 10)
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"

drop_counter() { # packets dropped by our egress rule (IPv4 + IPv6); empty if the rule is missing
  local n4 n6
  n4="$(iptables -t mangle -L "$CHAIN_EGRESS" -v -x -n 2>/dev/null | awk '$3 == "DROP" {print $1; exit}')"
  n6="$(ip6tables -t mangle -L "$CHAIN_EGRESS" -v -x -n 2>/dev/null | awk '$3 == "DROP" {print $1; exit}')"
  [[ -n "$n4" ]] || return 1
  echo $((n4 + ${n6:-0}))
}

# our processes: the pid files, and every descendant of containerd's shims
our_pids() {
  local c p cmd
  for c in "${COMPONENTS[@]}"; do running "$c" && cat "$(pidfile "$c")"; done
  for p in /proc/[0-9]*; do
    cmd="$( { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null)" || continue
    [[ "$cmd" == *containerd-shim* && "$cmd" == *"-address $CONTAINERD_SOCK "* ]] || continue
    echo "${p#/proc/}"
    descendants "${p#/proc/}"
  done
}
descendants() { local k; for k in $(cat /proc/"$1"/task/*/children 2>/dev/null); do echo "$k"; descendants "$k"; done; }
cpu_ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$t"; }
resources() {
  local secs="${1:-10}" pids rss=0 p c t1 t2 hz
  mapfile -t pids < <(our_pids)
  for c in "${COMPONENTS[@]}"; do
    running "$c" && printf '  %-24s %5d MiB\n' "$c" $(($(awk '/^VmRSS/ {print $2}' "/proc/$(cat "$(pidfile "$c")")/status") / 1024))
  done
  for p in "${pids[@]}"; do rss=$((rss + $(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0))); done
  hz="$(getconf CLK_TCK)"
  t1="$(cpu_ticks "${pids[@]}")"; sleep "$secs"; t2="$(cpu_ticks "${pids[@]}")"
  echo "  processes: ${#pids[@]} (components, shims, pods); pods: $(kubectl_ get pods -A --no-headers 2>/dev/null | wc -l)"
  echo "  total RSS: $((rss / 1024)) MiB"
  awk -v a="$t1" -v b="$t2" -v hz="$hz" -v s="$secs" 'BEGIN { printf "  CPU: %.1f %% of one core over %d s\n", 100 * (b - a) / hz / s, s }'
}

case "${1:-}" in
  --resources) resources "${2:-10}"; exit 0 ;;
  --drop-counter) drop_counter || { echo "status: no $CHAIN_EGRESS rule" >&2; exit 1; }; exit 0 ;;
  --quiet) quiet=true ;;
  "") quiet=false ;;
  *) die "status.sh: unknown argument: $1" ;;
esac

ok=0 bad=0
check() { # <label> <cmd...>
  local label="$1"; shift
  if "$@" >/dev/null 2>&1; then ok=$((ok + 1)); $quiet || printf '  ok    %s\n' "$label"
  else bad=$((bad + 1)); $quiet || printf '  FAIL  %s\n' "$label"; fi
}
for c in "${COMPONENTS[@]}"; do
  check "$c running (pid $(cat "$(pidfile "$c")" 2>/dev/null || echo none))" running "$c"
done
if [[ $bad -gt 0 && $quiet == true ]]; then exit 1; fi
node_ready() { [[ "$(kubectl_ get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" == True ]]; }
coredns_ok() { # a kube-dns pod Ready, on a node whose kubelet runs (not stale API state)
  local r; r="$(kubectl_ -n kube-system get pods -l k8s-app=kube-dns -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}')"
  grep -qx True <<<"$r"
}
check "bridge $BRIDGE up with $NODE_IP" bash -c "ip -4 addr show dev $BRIDGE | grep -q 'inet $NODE_IP/'"
check "service CIDR $SERVICE_CIDR routed to $BRIDGE" bash -c "ip route show $SERVICE_CIDR | grep -q 'dev $BRIDGE'"
check "egress drop rule ($CHAIN_EGRESS)" drop_counter
check "etcd health" curl -fsS --max-time 3 "http://127.0.0.1:$ETCD_CLIENT_PORT/health"
check "kube-apiserver /readyz" kubectl_ get --raw /readyz --request-timeout=5s
check "node $NODE_NAME Ready" node_ready
check "CoreDNS available" coredns_ok
check "StorageClass $STORAGE_CLASS (default)" bash -c "'$BIN/kubectl' --kubeconfig '$KUBECONFIG_ADMIN' get storageclass $STORAGE_CLASS -o jsonpath='{.metadata.annotations.storageclass\.kubernetes\.io/is-default-class}' | grep -qx true"
check "images imported (${IMAGE_ARCHIVES[*]})" "$here/load-images.sh" --check
if ! $quiet; then
  echo "  egress drop counter: $(drop_counter || echo n/a) packets"
  echo "kubeconfig: $KUBECONFIG_ADMIN"
  echo "status: $ok ok, $bad failed"
fi
[[ $bad -eq 0 ]]
