#!/usr/bin/env bash
# The cluster's own PKI (openssl, EC P-256), made once into $ROOT/pki, and the
# kubeconfigs of its clients. Run by up.sh; safe to run again (keeps what exists).
#   ca            signs every cert below; kube-controller-manager signs CSRs with it
#   front-proxy-ca + front-proxy-client   the apiserver's --requestheader-* flags
#   apiserver     serving cert: node IP, 127.0.0.1, the kubernetes Service IP and names
#   apiserver-kubelet-client  (system:masters) the apiserver's client cert to kubelets
#   kubelet       serving cert of the node; kubelet-client: system:node:<node>
#   admin (system:masters), kube-controller-manager, kube-scheduler, kube-proxy
#   sa.key / sa.pub  service account token signing
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"
command -v openssl >/dev/null || die "pki.sh: openssl missing"
mkdir -p "$PKI"; chmod 700 "$PKI"
cd "$PKI"

key() { [[ -s "$1.key" ]] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; chmod 600 "$1.key"; }
ca() { # <name> <CN>
  [[ -s "$1.crt" ]] && return 0
  key "$1"
  openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days 3650 -sha256 -out "$1.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
}
leaf() { # <name> <ca> <subject> <serverAuth|clientAuth|both> [SAN]
  local name="$1" signer="$2" subj="$3" use="$4" san="${5:-}" eku
  [[ -s "$name.crt" ]] && return 0
  key "$name"
  case "$use" in serverAuth) eku=serverAuth ;; clientAuth) eku=clientAuth ;; both) eku=serverAuth,clientAuth ;; esac
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [[ -n "$san" ]] && echo "subjectAltName=$san"
  } >"$name.ext"
  openssl req -new -key "$name.key" -subj "$subj" -out "$name.csr" 2>/dev/null
  openssl x509 -req -in "$name.csr" -CA "$signer.crt" -CAkey "$signer.key" -CAcreateserial \
    -days 825 -sha256 -extfile "$name.ext" -out "$name.crt" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}

ca ca canton-ha-cluster-ca
ca front-proxy-ca canton-ha-front-proxy-ca
leaf apiserver ca "/CN=kube-apiserver" serverAuth \
  "IP:$NODE_IP,IP:127.0.0.1,IP:$KUBERNETES_SVC_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$CLUSTER_DOMAIN"
leaf apiserver-kubelet-client ca "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
leaf front-proxy-client front-proxy-ca "/CN=front-proxy-client" clientAuth
leaf kubelet ca "/CN=$NODE_NAME" serverAuth "IP:$NODE_IP,DNS:$NODE_NAME"
leaf kubelet-client ca "/O=system:nodes/CN=system:node:$NODE_NAME" clientAuth
leaf admin ca "/O=system:masters/CN=canton-ha-admin" clientAuth
leaf kube-controller-manager ca "/CN=system:kube-controller-manager" clientAuth
leaf kube-scheduler ca "/CN=system:kube-scheduler" clientAuth
leaf kube-proxy ca "/CN=system:kube-proxy" clientAuth
if [[ ! -s sa.key ]]; then key sa; openssl pkey -in sa.key -pubout -out sa.pub 2>/dev/null; fi

kubeconfig() { # <file> <user cert name>
  cat >"$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: canton-ha
  cluster:
    server: $APISERVER_URL
    certificate-authority: $PKI/ca.crt
users:
- name: $2
  user:
    client-certificate: $PKI/$2.crt
    client-key: $PKI/$2.key
contexts:
- name: canton-ha
  context: {cluster: canton-ha, user: $2}
current-context: canton-ha
EOF
  chmod 600 "$1.kubeconfig"
}
kubeconfig admin admin
kubeconfig kube-controller-manager kube-controller-manager
kubeconfig kube-scheduler kube-scheduler
kubeconfig kubelet kubelet-client
kubeconfig kube-proxy kube-proxy
