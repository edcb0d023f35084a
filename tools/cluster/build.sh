#!/usr/bin/env bash
# Build (cached) everything the single-node cluster needs that Debian lacks:
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy,
#   kubectl  (k8s.io/kubernetes, through the wrapper module tools/cluster/k8s)
#   coredns  (github.com/coredns/coredns, `go install` from the module proxy)
# and the images: the cluster's own (tools/cluster/images.sh) and the stack's
# (tools/cluster/app-images.sh: stand-in Canton node, Postgres 15, HAProxy, NGINX; needs
# root and node_modules).
#
#   tools/cluster/build.sh            build what is missing; ~1 s when cached
#   tools/cluster/build.sh --no-images  binaries only
#   tools/cluster/build.sh --images     images only (the binaries must be there)
#
# Outputs live in ${CANTON_HA_CLUSTER_CACHE:-$HOME/.cache/canton-ha/cluster}:
#   k8s-<version>-<hash>/   the six Kubernetes binaries (hash: go.mod, go.sum,
#                           Go version, flags)
#   coredns-<version>-<hash>/coredns
#   bin/                    symlinks to the current ones (what up.sh runs)
# Runtime pieces come from Debian (tools/ci/install-apt.sh --cluster).
# Builds run under `nice -n 15`: the machine is shared with other builds.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"

images=true binaries=true
for arg in "$@"; do
  case "$arg" in
    --no-images) images=false ;;
    --images) binaries=false ;;
    -h | --help) sed -n '2,20p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "build.sh: unknown argument: $arg" ;;
  esac
done

command -v go >/dev/null || die "build.sh: go is not on PATH"
export GOFLAGS="-buildvcs=false -trimpath"
export CGO_ENABLED=0
total_start=$(date +%s)
mkdir -p "$CACHE/bin"
go_version="$(go env GOVERSION)"

k8s_version="$(cd "$here/k8s" && go list -m -f '{{.Version}}' k8s.io/kubernetes)"   # v1.33.13
k8s_minor="$(echo "$k8s_version" | cut -d. -f2)"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$k8s_minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

hash_of() { printf '%s\n' "$@" | sha256sum | cut -c1-12; }

if ! $binaries; then
  "$here/images.sh"
  "$here/app-images.sh"
  echo "cluster build (images): total $(($(date +%s) - total_start))s (cache $CACHE)"
  exit 0
fi

# --- Kubernetes ----------------------------------------------------------------
K8S_CMDS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)
k8s_hash="$(hash_of "$go_version" "$GOFLAGS" "$CGO_ENABLED" "$ldflags" \
  "$(cat "$here/k8s/go.mod" "$here/k8s/go.sum" | sha256sum)")"
k8s_out="$CACHE/k8s-$k8s_version-$k8s_hash"
have_all=true
for c in "${K8S_CMDS[@]}"; do [[ -x "$k8s_out/$c" ]] || have_all=false; done
if $have_all; then
  printf '%-26s %-9s cached (%s)\n' kubernetes "$k8s_version" "$k8s_out"
else
  start=$(date +%s)
  tmp="$k8s_out.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp"
  pkgs=(); for c in "${K8S_CMDS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
  echo "building kubernetes $k8s_version (${K8S_CMDS[*]}) under nice -n 15; several minutes cold"
  if (cd "$here/k8s" && nice -n 15 go build -ldflags "$ldflags" -o "$tmp/" "${pkgs[@]}"); then
    rm -rf "$k8s_out"; mv "$tmp" "$k8s_out"
    printf '%-26s %-9s built in %ss\n' kubernetes "$k8s_version" "$(($(date +%s) - start))"
  else
    rm -rf "$tmp"; die "build.sh: kubernetes build FAILED (see above)"
  fi
fi
for c in "${K8S_CMDS[@]}"; do ln -sfn "$k8s_out/$c" "$CACHE/bin/$c"; done

# --- CoreDNS ---------------------------------------------------------------------
coredns_hash="$(hash_of "$go_version" "$GOFLAGS" "$CGO_ENABLED" "$COREDNS_VERSION")"
coredns_out="$CACHE/coredns-$COREDNS_VERSION-$coredns_hash"
if [[ -x "$coredns_out/coredns" ]]; then
  printf '%-26s %-9s cached\n' coredns "$COREDNS_VERSION"
else
  start=$(date +%s)
  rm -rf "$coredns_out.tmp"; mkdir -p "$coredns_out.tmp"
  echo "building coredns $COREDNS_VERSION under nice -n 15"
  if GOBIN="$coredns_out.tmp" nice -n 15 go install -ldflags "-s -w" "github.com/coredns/coredns@$COREDNS_VERSION"; then
    rm -rf "$coredns_out"; mv "$coredns_out.tmp" "$coredns_out"
    printf '%-26s %-9s built in %ss\n' coredns "$COREDNS_VERSION" "$(($(date +%s) - start))"
  else
    rm -rf "$coredns_out.tmp"; die "build.sh: coredns build FAILED (see above)"
  fi
fi
ln -sfn "$coredns_out/coredns" "$CACHE/bin/coredns"

# --- images ------------------------------------------------------------------------
if $images; then
  "$here/images.sh"
  "$here/app-images.sh"
fi

echo "cluster build: total $(($(date +%s) - total_start))s (cache $CACHE)"
