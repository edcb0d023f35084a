#!/usr/bin/env bash
# Stop the cluster and undo its host side effects (idempotent; safe when nothing runs).
#   tools/cluster/down.sh            stop; keep data (etcd, PKI, images in containerd)
#   tools/cluster/down.sh --purge    also delete $ROOT (next up.sh makes a new cluster)
# It stops only the processes it started (pid files, cmdline checked), then their
# containers' shims (those serving our containerd socket). It removes: mounts
# under $ROOT, our iptables chains and jumps, kube-proxy's and kubelet's
# iptables rules (only when no other kubelet runs here), the bridge, the
# sysctls kubelet/up.sh changed (restored from $RUN/sysctl.orig), and the
# hardcoded paths kubelet/containerd create when they are empty and did not
# exist before.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"
purge=false
case "${1:-}" in --purge) purge=true ;; "") ;; *) die "down.sh: unknown argument: $1" ;; esac
[[ "$(id -u)" -eq 0 ]] || die "down.sh must run as root"
t0=$(date +%s)
warn() { echo "cluster: WARNING: $*" >&2; }

# 1. Pods first, while kubelet and the CNI still work: no controller may recreate them.
if running kube-apiserver && running kubelet; then
  for c in kube-controller-manager kube-scheduler; do
    running "$c" && kill "$(cat "$(pidfile "$c")")" 2>/dev/null && log "$c stopped (pid $(cat "$(pidfile "$c")"))"
  done
  log "deleting all pods (kubelet stops their sandboxes through the CNI)"
  kubectl_ delete pods --all --all-namespaces --grace-period=1 --wait=false --request-timeout=10s >/dev/null 2>&1 || true
  for ((i = 0; i < 150; i++)); do
    n="$(ctr_ tasks ls 2>/dev/null | awk 'NR > 1 && $3 == "RUNNING"' | wc -l)"
    [[ "$n" -eq 0 ]] && break
    sleep 0.2
  done
  [[ "${n:-0}" -eq 0 ]] || warn "$n container task(s) still running after 30 s; killing them"
fi

stop_pid() { # <component>
  local c="$1" pid i
  running "$c" || { rm -f "$(pidfile "$c")"; return 0; }
  pid="$(cat "$(pidfile "$c")")"
  kill "$pid" 2>/dev/null
  for ((i = 0; i < 50; i++)); do [[ -d /proc/$pid ]] || break; sleep 0.2; done
  if [[ -d /proc/$pid ]]; then warn "$c (pid $pid) ignored TERM for 10 s: KILL"; kill -9 "$pid" 2>/dev/null; sleep 0.5; fi
  rm -f "$(pidfile "$c")"
  log "$c stopped (pid $pid)"
}

# 2. The Kubernetes processes, in reverse start order; containerd last.
for ((k = ${#COMPONENTS[@]} - 1; k >= 1; k--)); do stop_pid "${COMPONENTS[$k]}"; done
if running containerd; then
  for id in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true; done
  sleep 0.5
  for id in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks delete -f "$id" >/dev/null 2>&1 || true; done
fi
stop_pid containerd
# shims serving our socket (each container's shim outlives containerd by design)
for p in /proc/[0-9]*; do
  cmd="$( { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null)" || continue
  if [[ "$cmd" == *containerd-shim* && "$cmd" == *"-address $CONTAINERD_SOCK "* ]]; then
    log "killing leftover shim ${p#/proc/}"; kill -9 "${p#/proc/}" 2>/dev/null
  fi
done

# 3. Mounts under our directories (netns, container rootfs, kubelet volumes), deepest first.
for ((pass = 0; pass < 3; pass++)); do
  mapfile -t mnts < <(awk -v r="$ROOT/" 'index($2, r) == 1 {print $2}' /proc/self/mounts | awk '{print length, $0}' | sort -rn | cut -d' ' -f2-)
  [[ ${#mnts[@]} -eq 0 ]] && break
  for m in "${mnts[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
done
left="$(awk -v r="$ROOT/" 'index($2, r) == 1' /proc/self/mounts | wc -l)"
[[ "$left" -eq 0 ]] || warn "$left mount(s) left under $ROOT"

# 4. iptables.
other_kubelet=false
for p in $(pgrep -x kubelet 2>/dev/null); do other_kubelet=true; warn "another kubelet runs (pid $p): leaving KUBE-* iptables rules alone"; done
if ! $other_kubelet; then
  [[ -x "$BIN/kube-proxy" ]] && "$BIN/kube-proxy" --cleanup >>"$LOGS/kube-proxy-cleanup.log" 2>&1 || true
fi
for ipt in iptables ip6tables; do
  command -v "$ipt" >/dev/null || continue
  for t in mangle filter nat; do
    # jumps into our chains (and, when no other kubelet runs, into kubelet's KUBE-* canaries)
    "$ipt" -t "$t" -S 2>/dev/null | grep -E '^-A (INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) ' |
      grep -E -- "canton-ha cluster|-j (CANTONHA-[A-Z]+)( |\$)$($other_kubelet || echo '|-j KUBE-[A-Z0-9-]+( |$)')" |
      while read -r rule; do eval "$ipt -t $t ${rule/-A /-D }" 2>/dev/null || true; done
    for ch in $("$ipt" -t "$t" -S 2>/dev/null | awk '$1 == "-N" {print $2}' |
                grep -E "^CANTONHA-$($other_kubelet || echo '|^KUBE-')"); do
      "$ipt" -t "$t" -F "$ch" 2>/dev/null
    done
    for ch in $("$ipt" -t "$t" -S 2>/dev/null | awk '$1 == "-N" {print $2}' |
                grep -E "^CANTONHA-$($other_kubelet || echo '|^KUBE-')"); do
      "$ipt" -t "$t" -X "$ch" 2>/dev/null || warn "$ipt -t $t: chain $ch still referenced"
    done
  done
done

# 5. The bridge (and with it the node IP and the service route).
if ip link show "$BRIDGE" >/dev/null 2>&1; then ip link del "$BRIDGE" && log "bridge $BRIDGE removed"; fi
rm -f "$RUN/bridge.created"
# veths of pods whose netns went away with their mounts are gone with them; any left:
for v in $(ip -o link show type veth 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
  [[ "$(ip -o link show "$v" 2>/dev/null)" == *"master $BRIDGE"* ]] && ip link del "$v" 2>/dev/null
done

# 6. sysctls back to what they were before the first up.sh.
if [[ -s "$RUN/sysctl.orig" ]]; then
  dockerd_running=false; pgrep -x dockerd >/dev/null 2>&1 && dockerd_running=true
  while IFS='=' read -r key val; do
    [[ -n "$key" ]] || continue
    if $dockerd_running && [[ "$key" == net.ipv4.ip_forward || "$key" == net.bridge.* ]]; then
      [[ "$(sysctl -n "$key")" == "$val" ]] || warn "dockerd runs: leaving $key=$(sysctl -n "$key") (was $val)"
      continue
    fi
    [[ "$(sysctl -n "$key" 2>/dev/null)" == "$val" ]] || { sysctl -qw "$key=$val" && log "sysctl $key=$val restored"; }
  done <"$RUN/sysctl.orig"
  rm -f "$RUN/sysctl.orig"
fi

# 7. Paths kubelet / containerd / the CNI hardcode, whatever their flags say.
rm -f /var/lib/cni/results/canton-ha-* 2>/dev/null
for l in /var/log/containers/*.log /var/log/pods/*; do
  [[ -L "$l" && "$(readlink "$l")" == "$ROOT/"* ]] && rm -f "$l"
done
rm -f /var/lib/kubelet/device-plugins/kubelet.sock /var/lib/kubelet/device-plugins/kubelet_internal_checkpoint 2>/dev/null
for d in /var/lib/kubelet/device-plugins /var/lib/kubelet /var/log/containers /var/lib/cni/results /var/lib/cni/networks \
         /var/lib/cni /run/containerd/s /run/containerd /usr/libexec/kubernetes/kubelet-plugins/volume/exec \
         /usr/libexec/kubernetes/kubelet-plugins/volume /usr/libexec/kubernetes/kubelet-plugins /usr/libexec/kubernetes; do
  [[ -d "$d" ]] && rmdir "$d" 2>/dev/null
done
# kubelet's cgroups (cgroupfs driver): /kubepods in each v1 hierarchy, empty by now
for h in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
  [[ -d "$h" ]] || continue
  find "$h" -depth -type d -exec rmdir {} \; 2>/dev/null
  [[ -d "$h" ]] && warn "cgroup $h still has tasks"
done
# IPAM allocations belong to pods that no longer exist
rm -rf "$ROOT/cni/ipam" "$ROOT/cni/cache" 2>/dev/null

if $purge; then
  if [[ "$(awk -v r="$ROOT/" 'index($2, r) == 1' /proc/self/mounts | wc -l)" -eq 0 ]]; then
    rm -rf "$ROOT" && log "purged $ROOT"
  else
    warn "not purging $ROOT: mounts remain"
  fi
fi

# 8. Verify: none of our processes is left.
left=""
for c in "${COMPONENTS[@]}"; do running "$c" && left+=" $c"; done
for p in /proc/[0-9]*; do
  cmd="$( { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null)" || continue
  [[ "$cmd" == *"$ROOT/"* ]] && left+=" pid${p#/proc/}"
done
if [[ -n "$left" ]]; then die "down.sh: still running:$left"; fi
log "cluster down in $(($(date +%s) - t0)) s"
