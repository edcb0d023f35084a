#!/usr/bin/env bash
# Start the single-node Kubernetes cluster (idempotent).
#   tools/cluster/up.sh        start what is not running; exit 0 when healthy
# If everything is already running and healthy it says so and exits 0.
# Needs: root, tools/cluster/build.sh done, Debian's containerd, runc, CNI
# plugins, etcd-server, iptables (tools/ci/install-apt.sh).
# Prints the kubeconfig path last. Logs: $ROOT/logs/<component>.log
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"

t0=$(date +%s.%N)
elapsed() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

[[ "$(id -u)" -eq 0 ]] || die "up.sh must run as root (bridge, iptables, containerd)"

if "$here/status.sh" --quiet; then
  echo "cluster: already running and healthy"
  echo "kubeconfig: $KUBECONFIG_ADMIN"
  exit 0
fi

# --- preflight: tools and kernel features (fail loudly, naming the feature) ---
for b in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl coredns; do
  [[ -x "$BIN/$b" ]] || die "$BIN/$b missing: run tools/cluster/build.sh"
done
for f in "${IMAGE_ARCHIVES[@]}"; do
  [[ -s "$IMAGES/$f.tar" ]] || die "$IMAGES/$f.tar missing: run tools/cluster/build.sh"
done
for t in containerd ctr runc etcd iptables ip6tables ip conntrack curl jq; do
  command -v "$t" >/dev/null || die "'$t' missing: run tools/ci/install-apt.sh"
done
[[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/host-local && -x /usr/lib/cni/loopback ]] ||
  die "CNI plugins missing in /usr/lib/cni: apt-get install containernetworking-plugins"

kernel_missing() { echo "cluster: KERNEL FEATURE MISSING: $*" >&2; exit 3; }
grep -qw overlay /proc/filesystems || kernel_missing "overlay filesystem (containerd's overlayfs snapshotter)"
[[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]] ||
  kernel_missing "bridge netfilter (br_netfilter: /proc/sys/net/bridge/bridge-nf-call-iptables); kube-proxy's Service NAT between pods on one bridge needs it"
[[ -e /proc/sys/net/netfilter/nf_conntrack_max ]] || kernel_missing "netfilter conntrack (nf_conntrack)"
if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then cgmode=v2; else cgmode=v1; fi
for c in cpu cpuacct cpuset memory pids devices freezer; do
  if [[ $cgmode == v1 ]]; then [[ -d /sys/fs/cgroup/$c ]] || kernel_missing "cgroup v1 controller '$c' (not mounted at /sys/fs/cgroup/$c)"; fi
done
if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
  ip link add cantonha-probe type bridge 2>/dev/null || kernel_missing "bridge network devices (ip link add type bridge)"
  ip link del cantonha-probe
fi
ip link add cantonha-vp0 type veth peer name cantonha-vp1 2>/dev/null || kernel_missing "veth network devices (ip link add type veth)"
ip link del cantonha-vp0
iptables -t mangle -S FORWARD >/dev/null 2>&1 || kernel_missing "iptables mangle table ($(iptables -t mangle -S FORWARD 2>&1 | head -1))"
iptables -t nat -S >/dev/null 2>&1 || kernel_missing "iptables nat table ($(iptables -t nat -S 2>&1 | head -1))"
ip6tables -t mangle -S FORWARD >/dev/null 2>&1 ||
  kernel_missing "ip6tables mangle table, for the IPv6 egress drop ($(ip6tables -t mangle -S FORWARD 2>&1 | head -1))"

mkdir -p "$RUN" "$LOGS" "$CONF" "$ROOT/etcd" "$ROOT/kubelet" "$ROOT/pod-logs" "$ROOT/cni/net.d" "$ROOT/cni/ipam" "$ROOT/cni/cache" \
  "$ROOT/containerd/root" "$RUN/containerd" "$ROOT/kubelet-plugins/volume"
chmod 700 "$ROOT"

# --- host state to restore on down.sh (saved once, before we change anything) ---
SYSCTLS=(net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables
  vm.overcommit_memory kernel.panic kernel.panic_on_oops)
if [[ ! -s "$RUN/sysctl.orig" ]]; then
  for s in "${SYSCTLS[@]}"; do echo "$s=$(sysctl -n "$s")"; done >"$RUN/sysctl.orig.tmp"
  mv "$RUN/sysctl.orig.tmp" "$RUN/sysctl.orig"
fi

# --- network: our bridge, node IP, pod gateway, service route, iptables ---
log "network: bridge $BRIDGE ($NODE_IP, pods $POD_CIDR, services $SERVICE_CIDR routed to it)"
if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
  ip link add "$BRIDGE" type bridge
  touch "$RUN/bridge.created"
fi
ip addr replace "$NODE_IP/24" dev "$BRIDGE"
ip addr replace "$POD_GW/24" dev "$BRIDGE"
ip link set "$BRIDGE" up
ip route replace "$SERVICE_CIDR" dev "$BRIDGE" src "$NODE_IP"
sysctl -qw net.ipv4.ip_forward=1
sysctl -qw net.bridge.bridge-nf-call-iptables=1
sysctl -qw net.bridge.bridge-nf-call-ip6tables=1
sysctl -qw "net.ipv6.conf.$BRIDGE.disable_ipv6=1" 2>/dev/null || true

ensure_chain() { # <cmd> <table> <chain>
  "$1" -t "$2" -N "$3" 2>/dev/null || true
}
ensure_jump() { # <cmd> <table> <builtin> <rule...>
  local c="$1" t="$2" b="$3"; shift 3
  "$c" -t "$t" -C "$b" "$@" 2>/dev/null || "$c" -t "$t" -I "$b" 1 "$@"
}
for ipt in iptables ip6tables; do
  # 1. pod traffic leaving the bridge for any other interface is dropped and counted.
  #    mangle FORWARD runs before filter FORWARD, where kube-proxy and dockerd put theirs.
  #    (added once, not flushed: its counter must survive a re-run of up.sh)
  ensure_chain "$ipt" mangle "$CHAIN_EGRESS"
  "$ipt" -t mangle -C "$CHAIN_EGRESS" -m comment --comment "canton-ha: pod egress off $BRIDGE" -j DROP 2>/dev/null ||
    "$ipt" -t mangle -A "$CHAIN_EGRESS" -m comment --comment "canton-ha: pod egress off $BRIDGE" -j DROP
  ensure_jump "$ipt" mangle FORWARD -i "$BRIDGE" ! -o "$BRIDGE" -m comment --comment "canton-ha cluster" -j "$CHAIN_EGRESS"
  # anything forwarded from elsewhere into the bridge is dropped too (nothing outside talks to pods)
  ensure_jump "$ipt" mangle FORWARD ! -i "$BRIDGE" -o "$BRIDGE" -m comment --comment "canton-ha cluster: no ingress from other interfaces" -j DROP
  # 2. pod <-> pod on the bridge is accepted even when dockerd set FORWARD's policy to DROP.
  ensure_chain "$ipt" filter "$CHAIN_FWD"
  "$ipt" -t filter -C "$CHAIN_FWD" -i "$BRIDGE" -o "$BRIDGE" -m comment --comment "canton-ha: pod<->pod on $BRIDGE" -j ACCEPT 2>/dev/null ||
    "$ipt" -t filter -A "$CHAIN_FWD" -i "$BRIDGE" -o "$BRIDGE" -m comment --comment "canton-ha: pod<->pod on $BRIDGE" -j ACCEPT
  ensure_jump "$ipt" filter FORWARD -m comment --comment "canton-ha cluster" -j "$CHAIN_FWD"
done

# --- PKI and configs ---
"$here/pki.sh"

# write_conf <file>: stdin into <file>, replaced atomically and only when its
# content changes (kube-proxy exits when its config file changes under it).
write_conf() {
  cat >"$1.tmp.$$"
  if cmp -s "$1.tmp.$$" "$1"; then rm -f "$1.tmp.$$"; else mv -f "$1.tmp.$$" "$1"; fi
}

# kubelet's resolv.conf for pods with dnsPolicy Default: points at the pod itself, nothing outside.
printf '# canton-ha cluster: no upstream DNS (pods with dnsPolicy Default resolve nothing)\nnameserver 127.0.0.1\n' | write_conf "$CONF/resolv.conf"

# isGateway false: up.sh owns the bridge's addresses (node IP + pod gateway). With
# isGateway true the bridge plugin refuses a bridge that has any other address:
#   failed to set bridge addr: "cantonha0" already has an IP address different from 10.213.1.1/24
# The pods' default route still goes via the range's gateway ($POD_GW).
write_conf "$ROOT/cni/net.d/10-canton-ha.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "canton-ha",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": false,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$POD_GW"}]],
        "routes": [{"dst": "0.0.0.0/0"}],
        "dataDir": "$ROOT/cni/ipam"
      }
    }
  ]
}
EOF

write_conf "$CONF/containerd.toml" <<EOF
# containerd of the canton-ha test cluster: own root, state, socket; no registry.
version = 2
root = "$ROOT/containerd/root"
state = "$RUN/containerd/state"
plugin_dir = ""
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
oom_score = 0

[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"
[debug]
  address = ""
  level = "info"
[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "$ROOT/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # MANDATORY on this VM (no CAP_SYS_RESOURCE, even for root): without it every
  # pod fails with "runc create failed: ... can't get final child's PID from pipe: EOF"
  restrict_oom_score_adj = true
  disable_apparmor = true
  enable_selinux = false
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_cdi = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        BinaryName = "$(command -v runc)"
        Root = "$RUN/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$ROOT/cni/net.d"
    max_conf_num = 1
EOF

write_conf "$CONF/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $PKI/kubelet.crt
tlsPrivateKeyFile: $PKI/kubelet.key
rotateCertificates: false
serverTLSBootstrap: false
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
clusterDNS: [$DNS_IP]
clusterDomain: $CLUSTER_DOMAIN
resolvConf: $CONF/resolv.conf
# imported images can never come back (no registry): never garbage-collect them
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: "50Mi"
  nodefs.available: "1%"
  nodefs.inodesFree: "1%"
  imagefs.available: "1%"
podLogsDir: $ROOT/pod-logs
volumePluginDir: $ROOT/kubelet-plugins/volume
maxPods: 60
serializeImagePulls: false
EOF

write_conf "$CONF/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: {kubeconfig: $PKI/kube-proxy.kubeconfig}
hostnameOverride: $NODE_NAME
bindAddress: $NODE_IP
clusterCIDR: $POD_CIDR
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# NodePorts only on the node IP (our bridge); no localhost NodePorts, so no route_localnet sysctl
nodePortAddresses: ["$NODE_NET"]
iptables: {localhostNodePorts: false, masqueradeAll: false}
# leave the host's conntrack sysctls alone
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF

# --- processes ---
# Readiness facts in the API may be stale (a node Ready, a Deployment available
# from the last run): what counts is newer than this run's kubelet start.
since="1970-01-01T00:00:00Z"
start_bg() { # <name> <cmd...>: start detached, pid file, log file
  local name="$1"; shift
  if running "$name"; then log "$name: already running (pid $(cat "$(pidfile "$name")"))"; return 0; fi
  [[ "$name" == kubelet ]] && since="$(date -u -d '-1 sec' +%Y-%m-%dT%H:%M:%SZ)"
  log "$name: starting"
  setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$name")"
}
wait_for() { # <what> <seconds> <cmd...>
  local what="$1" deadline=$(($(date +%s) + $2)); shift 2
  while [[ $(date +%s) -lt $deadline ]]; do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "cluster: timed out after ${secs}s waiting for $what" >&2
  return 1
}
alive_or_die() { running "$1" || { tail -25 "$LOGS/$1.log" >&2; die "$1 exited (log: $LOGS/$1.log)"; }; }

start_bg containerd containerd --config "$CONF/containerd.toml"
wait_for "containerd socket" 30 ctr_ version || { alive_or_die containerd; die "containerd not answering"; }

# images: imported only when missing or changed (an import is idempotent but takes time)
"$here/load-images.sh"

etcd_started=false; running etcd || etcd_started=true
start_bg etcd etcd --name canton-ha --data-dir "$ROOT/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "canton-ha=http://127.0.0.1:$ETCD_PEER_PORT" \
  --logger zap --log-outputs stderr --log-level warn --quota-backend-bytes 1073741824
t_etcd=$(date +%s.%N)
wait_for "etcd health" 30 curl -fsS "http://127.0.0.1:$ETCD_CLIENT_PORT/health" || { alive_or_die etcd; die "etcd not healthy"; }

start_bg kube-apiserver "$BIN/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --bind-address "$NODE_IP" --advertise-address "$NODE_IP" --secure-port "$APISERVER_PORT" \
  --service-cluster-ip-range "$SERVICE_CIDR" --service-node-port-range 30000-32767 \
  --client-ca-file "$PKI/ca.crt" --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
  --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority "$PKI/ca.crt" --kubelet-preferred-address-types InternalIP \
  --service-account-issuer "https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
  --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
  --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction --allow-privileged=true \
  --requestheader-client-ca-file "$PKI/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
  --requestheader-extra-headers-prefix X-Remote-Extra- --requestheader-group-headers X-Remote-Group \
  --requestheader-username-headers X-Remote-User \
  --proxy-client-cert-file "$PKI/front-proxy-client.crt" --proxy-client-key-file "$PKI/front-proxy-client.key" \
  --profiling=false --v=1
wait_for "kube-apiserver /readyz" 60 kubectl_ get --raw /readyz || { alive_or_die kube-apiserver; die "kube-apiserver not ready"; }

start_bg kube-controller-manager "$BIN/kube-controller-manager" \
  --kubeconfig "$PKI/kube-controller-manager.kubeconfig" \
  --authentication-kubeconfig "$PKI/kube-controller-manager.kubeconfig" \
  --authorization-kubeconfig "$PKI/kube-controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port 10257 --leader-elect=false \
  --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
  --root-ca-file "$PKI/ca.crt" --service-account-private-key-file "$PKI/sa.key" \
  --use-service-account-credentials=true --allocate-node-cidrs=false \
  --service-cluster-ip-range "$SERVICE_CIDR" --profiling=false --v=1
start_bg kube-scheduler "$BIN/kube-scheduler" \
  --kubeconfig "$PKI/kube-scheduler.kubeconfig" \
  --authentication-kubeconfig "$PKI/kube-scheduler.kubeconfig" \
  --authorization-kubeconfig "$PKI/kube-scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port 10259 --leader-elect=false --profiling=false --v=1

# kubelet changes vm.overcommit_memory, kernel.panic, kernel.panic_on_oops (restored by down.sh)
start_bg kubelet "$BIN/kubelet" --config "$CONF/kubelet.yaml" --kubeconfig "$PKI/kubelet.kubeconfig" \
  --root-dir "$ROOT/kubelet" --cert-dir "$PKI" --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" --v=1
start_bg kube-proxy "$BIN/kube-proxy" --config "$CONF/kube-proxy.yaml" --v=1

node_ready() {
  local r; r="$(kubectl_ get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status} {.status.conditions[?(@.type=="Ready")].lastHeartbeatTime}' 2>/dev/null)"
  [[ "${r%% *}" == True && ! "${r#* }" < "$since" ]]
}
wait_for "node $NODE_NAME Ready" 90 node_ready || {
  for c in kubelet kube-proxy kube-controller-manager kube-scheduler; do alive_or_die "$c"; done
  tail -20 "$LOGS/kubelet.log" >&2; die "node not Ready"; }
t_ready=$(date +%s.%N)

sed -e "s|@COREDNS_IMAGE@|$COREDNS_IMAGE|g" -e "s|@DNS_IP@|$DNS_IP|g" -e "s|@CLUSTER_DOMAIN@|$CLUSTER_DOMAIN|g" \
  "$here/manifests/coredns.yaml" | kubectl_ apply -f - >/dev/null
# volumes and LoadBalancer addresses: the StorageClass, and the controller that serves it
kubectl_ apply -f "$here/manifests/storage.yaml" >/dev/null
start_bg cluster-controller bash "$here/cluster-controller.sh"
coredns_ok() { # a kube-dns pod that turned Ready after this run's kubelet start
  kubectl_ -n kube-system get pods -l k8s-app=kube-dns -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status} {.status.conditions[?(@.type=="Ready")].lastTransitionTime}{"\n"}{end}' 2>/dev/null |
    awk -v since="$since" '$1 == "True" && $2 >= since {ok = 1} END {exit !ok}'
}
wait_for "CoreDNS available" 90 coredns_ok || {
  kubectl_ -n kube-system get pods -o wide >&2; kubectl_ -n kube-system describe pods -l k8s-app=kube-dns | tail -20 >&2
  die "CoreDNS not available"; }

for c in "${COMPONENTS[@]}"; do alive_or_die "$c"; done
"$here/status.sh" --quiet || { "$here/status.sh" >&2 || true; die "status check failed after start"; }
if $etcd_started; then
  printf 'cluster: up in %ss (etcd start to node Ready %ss)\n' "$(elapsed)" "$(awk -v a="$t_etcd" -v b="$t_ready" 'BEGIN { printf "%.1f", b - a }')"
else
  printf 'cluster: up in %ss (restarted what was not running)\n' "$(elapsed)"
fi
echo "kubeconfig: $KUBECONFIG_ADMIN"
