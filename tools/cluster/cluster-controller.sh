#!/usr/bin/env bash
# The cluster's own small controller, a host process that up.sh starts after kube-proxy and
# down.sh stops first (pid file run/cluster-controller.pid, log logs/cluster-controller.log).
# It does what a cloud or a storage driver would do for a real cluster, and nothing else:
#
#  1. Volumes: the StorageClass canton-ha-local (manifests/storage.yaml, the default class,
#     provisioner canton-ha-cluster/local). A Pending claim of that class gets a `local`
#     PersistentVolume on a new directory $ROOT/volumes/<pv>, pinned to the node and bound
#     to the claim (claimRef). kubelet applies the pod's fsGroup to `local` volumes (it does
#     not to hostPath), so a non-root Postgres can write there. A Released volume whose
#     reclaim policy is Delete loses its directory, then its PersistentVolume object; Retain
#     keeps both. Data survives down.sh; `down.sh --purge` removes it with $ROOT.
#  2. LoadBalancer Services: each gets an ingress IP from $LB_POOL (on the node network of
#     our bridge, so nothing else is ever addressed); kube-proxy then serves it like a
#     NodePort. `spec.loadBalancerIP` inside the pool is honoured.
#
# It watches claims, volumes and Services (curl watches with the admin client certificate)
# and reconciles on every change, and every 30 s in any case. TERM stops it and its watches.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"

CURL=(curl -sS --max-time 20 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key")
WATCH=(curl -sS -N --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key")
api() { local path="$1"; shift; "${CURL[@]}" --fail "$@" "$APISERVER_URL$path"; }
say() { printf '%s %s\n' "$(date -u +%FT%TZ)" "$*"; }

stop() { trap - TERM INT; say "stopping"; kill -TERM -- "-$$" 2>/dev/null; exit 0; }
trap stop TERM INT
[[ "$(ps -o pgid= -p $$ | tr -d ' ')" == "$$" ]] || say "WARNING: not a process group leader: TERM will not reach the watches"

# ------------------------------------------------------------------ volumes
reconcile_volumes() {
  local sc policy claims pvs
  sc="$(api "/apis/storage.k8s.io/v1/storageclasses/$STORAGE_CLASS")" || return 0
  policy="$(jq -r '.reclaimPolicy // "Delete"' <<<"$sc")"
  claims="$(api /api/v1/persistentvolumeclaims)" || return 1
  pvs="$(api /api/v1/persistentvolumes)" || return 1
  # Pending claims of our class that no volume of ours names yet
  jq -r --arg sc "$STORAGE_CLASS" --argjson pvs "$pvs" '
    ($pvs.items | map(.spec.claimRef.uid // empty)) as $claimed
    | .items[] | select(.status.phase == "Pending" and .spec.storageClassName == $sc and ((.spec.volumeName // "") == "")
                        and ((.metadata.deletionTimestamp // "") == "") and (.metadata.uid as $u | $claimed | index($u) | not))
    | [.metadata.namespace, .metadata.name, .metadata.uid, (.spec.resources.requests.storage // "1Gi"), (.spec.accessModes | tojson)] | @tsv' <<<"$claims" |
    while IFS=$'\t' read -r ns name uid size modes; do
      local pv="canton-ha-pv-$uid" dir
      dir="$VOLUMES/$pv"
      mkdir -p "$dir" && chmod 0777 "$dir"
      if jq -n --arg pv "$pv" --arg ns "$ns" --arg claim "$name" --arg uid "$uid" --arg size "$size" --argjson modes "$modes" \
        --arg path "$dir" --arg node "$NODE_NAME" --arg sc "$STORAGE_CLASS" --arg policy "$policy" --arg prov "$PROVISIONER" '
        {apiVersion: "v1", kind: "PersistentVolume",
         metadata: {name: $pv, annotations: {"pv.kubernetes.io/provisioned-by": $prov}, labels: {"canton-ha-cluster/volume": "local"}},
         spec: {capacity: {storage: $size}, accessModes: $modes, volumeMode: "Filesystem", storageClassName: $sc,
                persistentVolumeReclaimPolicy: $policy,
                claimRef: {apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: $ns, name: $claim, uid: $uid},
                local: {path: $path},
                nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: "kubernetes.io/hostname", operator: "In", values: [$node]}]}]}}}}' |
        api /api/v1/persistentvolumes -X POST -H 'Content-Type: application/json' --data-binary @- >/dev/null; then
        say "volume: $pv ($size, $policy) for claim $ns/$name at $dir"
      else
        say "volume: creating $pv for $ns/$name FAILED"
      fi
    done
  # Released volumes of ours with reclaim policy Delete: the directory, then the object
  jq -r --arg prov "$PROVISIONER" '.items[] | select(.metadata.annotations["pv.kubernetes.io/provisioned-by"] == $prov
          and .status.phase == "Released" and .spec.persistentVolumeReclaimPolicy == "Delete") | [.metadata.name, .spec.local.path] | @tsv' <<<"$pvs" |
    while IFS=$'\t' read -r pv dir; do
      [[ "$dir" == "$VOLUMES/"* && "$dir" != *..* ]] || { say "volume: $pv: path $dir is not ours, left alone"; continue; }
      rm -rf "$dir"
      if api "/api/v1/persistentvolumes/$pv" -X DELETE >/dev/null; then say "volume: $pv released and deleted ($dir removed)"; fi
    done
}

# ------------------------------------------------------------------ LoadBalancer Services
reconcile_lbs() {
  local svcs
  svcs="$(api /api/v1/services)" || return 1
  jq -r '.items[] | select(.spec.type == "LoadBalancer" and (((.status.loadBalancer.ingress // []) | length) == 0))
         | [.metadata.namespace, .metadata.name, (.spec.loadBalancerIP // "")] | @tsv' <<<"$svcs" |
    while IFS=$'\t' read -r ns name want; do
      local used ip="" i
      used="$(api /api/v1/services | jq -r '.items[].status.loadBalancer.ingress[]?.ip // empty')"
      if [[ -n "$want" ]] && in_pool "$want" && ! grep -qxF "$want" <<<"$used"; then ip="$want"; fi
      if [[ -z "$ip" ]]; then
        for ((i = LB_POOL_FIRST; i <= LB_POOL_LAST; i++)); do
          grep -qxF "$LB_POOL_PREFIX.$i" <<<"$used" || { ip="$LB_POOL_PREFIX.$i"; break; }
        done
      fi
      [[ -n "$ip" ]] || { say "loadbalancer: pool $LB_POOL exhausted, $ns/$name gets no address"; continue; }
      if api "/api/v1/namespaces/$ns/services/$name/status" -X PATCH -H 'Content-Type: application/merge-patch+json' \
        --data-binary "{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"$ip\",\"ipMode\":\"VIP\"}]}}}" >/dev/null; then
        say "loadbalancer: $ns/$name -> $ip"
      fi
    done
}
in_pool() { local last="${1##*.}"; [[ "${1%.*}" == "$LB_POOL_PREFIX" && "$last" =~ ^[0-9]+$ && $last -ge $LB_POOL_FIRST && $last -le $LB_POOL_LAST ]]; }

reconcile() {
  reconcile_volumes || say "volumes: the API did not answer"
  reconcile_lbs || say "loadbalancers: the API did not answer"
}

mkdir -p "$VOLUMES"
say "started (storage class $STORAGE_CLASS, provisioner $PROVISIONER, volumes in $VOLUMES; load balancer pool $LB_POOL)"
events() {
  local r
  for r in /api/v1/persistentvolumeclaims /api/v1/persistentvolumes /api/v1/services; do
    "${WATCH[@]}" "$APISERVER_URL$r?watch=true&timeoutSeconds=600" 2>/dev/null &
  done
  wait
}
# The watch pipeline runs in the background and is awaited: bash runs the TERM trap during
# `wait`, but not until a foreground pipeline ends (here: up to 10 minutes).
while :; do
  reconcile
  events | while :; do
    if read -r -t 30 _; then
      for ((n = 0; n < 50; n++)); do read -r -t 0.3 _ || break; done # a burst: one reconcile
      reconcile
    elif [[ $? -gt 128 ]]; then
      reconcile # quiet for 30 s: resync
    else
      break # the watches ended: start them again
    fi
  done &
  wait $!
  sleep 1
done
