#!/usr/bin/env bash
# Smoke test of a running cluster (after tools/cluster/up.sh). Exits non-zero on
# any failure, saying which check failed. It:
#   1. deploys a 2-replica Deployment (busybox httpd, localhost/ image, never
#      pulled) behind a ClusterIP Service, and a client pod;
#   2. checks the Service answers by ClusterIP from the host and from the pod,
#      by DNS name (FQDN and short name), and that both replicas answer;
#   3. checks a name outside the cluster domain does not resolve (no forwarder);
#   4. fails one replica's readiness probe: it must leave the Service's
#      endpoints and stop getting traffic; then it must come back;
#   5. proves the egress drop rule: the client pod sends to an address in a
#      network namespace this script creates (a veth outside the bridge); the
#      packets must be dropped (counter up, nothing arrives in the namespace);
#   6. prints the drop counter and cleans up (namespace, netns), even on failure.
#   tools/cluster/smoke.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"

NS=canton-ha-smoke
SINK_NS=cantonha-sink SINK_HOST=cantonha-s0 SINK_PEER=cantonha-s1
SINK_HOST_IP=10.213.200.1 SINK_IP=10.213.200.2
fail() { echo "smoke: FAIL: $*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

cleanup() {
  kubectl_ delete namespace "$NS" --wait=false --ignore-not-found >/dev/null 2>&1 || true
  ip netns del "$SINK_NS" 2>/dev/null || true
  ip link del "$SINK_HOST" 2>/dev/null || true
}
trap cleanup EXIT

"$here/status.sh" --quiet || { "$here/status.sh" >&2 || true; fail "cluster not healthy: run tools/cluster/up.sh"; }
t0=$(now)
if kubectl_ get namespace "$NS" >/dev/null 2>&1; then
  kubectl_ delete namespace "$NS" --timeout=60s >/dev/null || fail "could not delete a leftover namespace $NS"
fi

kubectl_ apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Namespace
metadata: {name: $NS}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: $NS}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: $BUSYBOX_IMAGE
        imagePullPolicy: Never
        command: ["/bin/sh", "-c", "mkdir -p /tmp/www && echo \$HOSTNAME > /tmp/www/index.html && echo ok > /tmp/www/ready.txt && exec httpd -f -v -p 8080 -h /tmp/www"]
        ports: [{containerPort: 8080}]
        readinessProbe:
          httpGet: {path: /ready.txt, port: 8080}
          periodSeconds: 2
          failureThreshold: 2
          successThreshold: 1
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: $NS}
spec:
  type: ClusterIP
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: $NS}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: client
    image: $BUSYBOX_IMAGE
    imagePullPolicy: Never
    command: ["/bin/sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
EOF
kubectl_ -n "$NS" wait --for=condition=Available deploy/web --timeout=90s >/dev/null ||
  { kubectl_ -n "$NS" get pods -o wide >&2; kubectl_ -n "$NS" describe pods | tail -30 >&2; fail "Deployment web not available within 90 s"; }
kubectl_ -n "$NS" wait --for=condition=Ready pod/client --timeout=60s >/dev/null ||
  { kubectl_ -n "$NS" describe pod client | tail -20 >&2; fail "client pod not Ready within 60 s"; }
echo "smoke: deployment + client ready in $(since "$t0") s"

cip="$(kubectl_ -n "$NS" get svc web -o jsonpath='{.spec.clusterIP}')"
mapfile -t pods < <(kubectl_ -n "$NS" get pods -l app=web -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}')
[[ ${#pods[@]} -eq 2 ]] || fail "expected 2 web pods, got ${#pods[@]}"
in_client() { kubectl_ -n "$NS" exec client -- "$@"; }
# (busybox 1.35 wget -T segfaults; timeout(1) bounds it instead)
get() { in_client timeout 5 wget -q -O - "$1" 2>&1; }

# 2. ClusterIP from the host (kube-proxy OUTPUT DNAT; the service route keeps it on the bridge)
# (the first try waits up to 15 s: kube-proxy programs a new Service within its 1 s min-sync period
#  after the endpoints turn ready; until then the ClusterIP REJECTs)
t1=$(now)
for ((i = 0; i < 75; i++)); do out="$(curl -fsS --max-time 3 "http://$cip/" 2>&1)" && break; sleep 0.2; done
curl -fsS --max-time 3 "http://$cip/" >/dev/null || fail "ClusterIP $cip:80 does not answer from the host: $out"
echo "smoke: Service answered $(since "$t1") s after the Deployment was available"
echo "smoke: host -> ClusterIP $cip answered: $out"
out="$(get "http://$cip/")" || fail "ClusterIP $cip:80 does not answer from a pod: $out"
echo "smoke: pod -> ClusterIP answered: $out"
fqdn="web.$NS.svc.$CLUSTER_DOMAIN"
out="$(get "http://$fqdn/")" || fail "http://$fqdn/ does not answer from a pod (DNS or Service): $out"
echo "smoke: pod -> $fqdn answered: $out"
out="$(get "http://web/")" || fail "http://web/ (short name, search path) does not answer: $out"
seen="$(for i in $(seq 1 24); do get "http://$cip/"; done | sort -u | tr '\n' ' ')"
for p in "${pods[@]}"; do [[ " $seen " == *" $p "* ]] || fail "replica $p never answered through the Service (seen: $seen)"; done
echo "smoke: both replicas answer through the Service: $seen"

# 3. no upstream DNS: a name outside the cluster domain must not resolve
if in_client nslookup canton-ha-smoke.invalid >/dev/null 2>&1; then fail "canton-ha-smoke.invalid resolved: CoreDNS must have no forwarder"; fi
echo "smoke: names outside $CLUSTER_DOMAIN do not resolve (no forwarder)"

# 4. readiness: one replica fails its probe -> out of the Service
victim="${pods[0]}" other="${pods[1]}"
victim_ip="$(kubectl_ -n "$NS" get pod "$victim" -o jsonpath='{.status.podIP}')"
ready_ips() { kubectl_ -n "$NS" get endpointslices -l kubernetes.io/service-name=web \
  -o jsonpath='{range .items[*].endpoints[?(@.conditions.ready==true)]}{.addresses[0]}{"\n"}{end}'; }
# (not `ready_ips | grep -q`: under pipefail, grep's early exit can fail the pipeline)
is_ready_ep() { local ips; ips="$(ready_ips)"; grep -qx "$1" <<<"$ips"; }
kubectl_ -n "$NS" exec "$victim" -- rm /tmp/www/ready.txt
t1=$(now)
for ((i = 0; i < 150; i++)); do is_ready_ep "$victim_ip" || break; sleep 0.1; done
is_ready_ep "$victim_ip" && fail "$victim ($victim_ip) still a ready endpoint 15 s after its readiness probe started failing"
echo "smoke: failing readiness took $victim out of the endpoints in $(since "$t1") s"
sleep 0.5   # kube-proxy sync
seen="$(for i in $(seq 1 12); do get "http://$cip/"; done | sort -u | tr '\n' ' ')"
[[ "$seen" == "$other " ]] || fail "after $victim went unready, the Service answered from: $seen (expected only $other)"
echo "smoke: only $other answers now"
kubectl_ -n "$NS" exec "$victim" -- sh -c 'echo ok > /tmp/www/ready.txt'
t1=$(now)
for ((i = 0; i < 150; i++)); do is_ready_ep "$victim_ip" && break; sleep 0.1; done
is_ready_ep "$victim_ip" || fail "$victim did not come back into the endpoints within 15 s"
echo "smoke: $victim back in the endpoints in $(since "$t1") s"

# 5. the egress drop rule, proven against a namespace of our own (nothing else is ever a target)
before="$("$here/status.sh" --drop-counter)" || fail "no egress drop rule"
ip netns add "$SINK_NS"
ip link add "$SINK_HOST" type veth peer name "$SINK_PEER"
ip link set "$SINK_PEER" netns "$SINK_NS"
ip addr add "$SINK_HOST_IP/30" dev "$SINK_HOST"; ip link set "$SINK_HOST" up
ip -n "$SINK_NS" addr add "$SINK_IP/30" dev "$SINK_PEER"; ip -n "$SINK_NS" link set "$SINK_PEER" up
ip -n "$SINK_NS" link set lo up
sleep 0.3
rx_before="$(ip netns exec "$SINK_NS" cat "/sys/class/net/$SINK_PEER/statistics/rx_packets")"
if in_client timeout 3 wget -q -O - "http://$SINK_IP:8080/" >/dev/null 2>&1; then fail "a pod reached $SINK_IP outside the bridge"; fi
in_client ping -c 2 -W 1 "$SINK_IP" >/dev/null 2>&1 && fail "a pod pinged $SINK_IP outside the bridge"
after="$("$here/status.sh" --drop-counter)"
rx_after="$(ip netns exec "$SINK_NS" cat "/sys/class/net/$SINK_PEER/statistics/rx_packets")"
[[ "$after" -gt "$before" ]] || fail "egress drop counter did not move ($before -> $after)"
# (IPv6 router solicitations of the veth itself may show up in rx; no IPv4 packet of the pod may)
if ip netns exec "$SINK_NS" cat /proc/net/snmp | awk '/^Ip: [0-9]/ {exit !($4 > 0)}'; then
  fail "IPv4 packets arrived in $SINK_NS (rx $rx_before -> $rx_after)"
fi
echo "smoke: pod egress off the bridge dropped: counter $before -> $after, nothing arrived in $SINK_NS"

# 6. cleanup
ip netns del "$SINK_NS"; ip link del "$SINK_HOST" 2>/dev/null || true
kubectl_ delete namespace "$NS" --timeout=60s >/dev/null || fail "namespace $NS not deleted within 60 s"
echo "smoke: egress drop counter now: $("$here/status.sh" --drop-counter) packets"
echo "smoke: PASS in $(since "$t0") s"
