# Shared settings of tools/cluster/*.sh (sourced, not run).
# Everything the cluster owns is named here: its cache, its data directory, its
# bridge and addresses, its iptables chains, its ports.

die() { echo "cluster: $*" >&2; exit 1; }
log() { printf '[%s] %s\n' "$(date +%T)" "$*"; }

HERE_LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE_LIB/../.." && pwd)"

# Build outputs (binaries, image archives): cached per machine, outside git.
CACHE="${CANTON_HA_CLUSTER_CACHE:-$HOME/.cache/canton-ha/cluster}"
BIN="$CACHE/bin"
IMAGES="$CACHE/images"
COREDNS_VERSION=v1.14.7

# Runtime state: data, PKI, configs, sockets, pid files, logs.
ROOT="${CANTON_HA_CLUSTER_ROOT:-/var/lib/canton-ha-cluster}"
RUN="$ROOT/run"            # sockets, pid files, saved host state
LOGS="$ROOT/logs"
PKI="$ROOT/pki"
CONF="$ROOT/conf"
KUBECONFIG_ADMIN="$PKI/admin.kubeconfig"
CONTAINERD_SOCK="$RUN/containerd/containerd.sock"

# Network: one bridge this script creates. The node IP and the pods' gateway
# live on it; the service CIDR is routed to it. Nothing else is a target.
BRIDGE=cantonha0
NODE_IP=10.213.0.1
NODE_NET=10.213.0.0/24
POD_CIDR=10.213.1.0/24
POD_GW=10.213.1.1
SERVICE_CIDR=10.213.128.0/20
KUBERNETES_SVC_IP=10.213.128.1
DNS_IP=10.213.128.10
CLUSTER_DOMAIN=cluster.local
NODE_NAME=cantonha-node

# iptables chains of our own (mangle FORWARD: before kube-proxy's and docker's filter rules)
CHAIN_EGRESS=CANTONHA-EGRESS      # mangle: DROP of pod traffic leaving the bridge (the counter)
CHAIN_FWD=CANTONHA-FORWARD        # filter: ACCEPT pod<->pod on the bridge (dockerd sets FORWARD DROP)

# Ports (loopback, or the node IP on our bridge)
ETCD_CLIENT_PORT=12379
ETCD_PEER_PORT=12380
APISERVER_PORT=6443
APISERVER_URL="https://$NODE_IP:$APISERVER_PORT"

# Images (localhost/..., imported; never pulled)
PAUSE_IMAGE=localhost/canton-ha/pause:3.10
COREDNS_IMAGE="localhost/canton-ha/coredns:${COREDNS_VERSION#v}"
BUSYBOX_IMAGE=localhost/canton-ha/busybox:1
# The stack's images (tools/cluster/app-images.sh: one archive, apps.tar)
STANDIN_IMAGE=localhost/canton-ha/standin-canton:2.9.4
POSTGRES_IMAGE=localhost/canton-ha/postgres:15
HAPROXY_IMAGE=localhost/canton-ha/haproxy:2.6
NGINX_IMAGE=localhost/canton-ha/nginx:1.22
APP_IMAGES=("$STANDIN_IMAGE" "$POSTGRES_IMAGE" "$HAPROXY_IMAGE" "$NGINX_IMAGE")
# Image archives up.sh imports (load-images.sh): $IMAGES/<name>.tar
IMAGE_ARCHIVES=(pause busybox coredns apps)

# Volumes and load balancer addresses (cluster-controller.sh)
STORAGE_CLASS=canton-ha-local
PROVISIONER=canton-ha-cluster/local
VOLUMES="$ROOT/volumes"
LB_POOL_PREFIX=10.213.0
LB_POOL_FIRST=100
LB_POOL_LAST=199
LB_POOL="$LB_POOL_PREFIX.$LB_POOL_FIRST-$LB_POOL_LAST"

# Components, in start order; down.sh stops them in reverse.
COMPONENTS=(containerd etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy cluster-controller)

kubectl_() { "$BIN/kubectl" --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }
ctr_() { ctr --address "$CONTAINERD_SOCK" -n k8s.io "$@"; }

pidfile() { echo "$RUN/$1.pid"; }
# running <component>: its pid file names a live process whose exe is still ours.
running() {
  local f pid
  f="$(pidfile "$1")"
  [[ -s "$f" ]] || return 1
  pid="$(cat "$f")"
  [[ -d "/proc/$pid" ]] || return 1
  [[ "$(cat "/proc/$pid/stat" 2>/dev/null | awk '{print $3}')" != Z ]] || return 1
  local cmd; cmd="$( { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null)" || return 1
  [[ "$cmd" == *"$1"* ]] || return 1
}
