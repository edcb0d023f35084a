#!/usr/bin/env bash
# Import the image archives into the cluster's containerd (namespace k8s.io), idempotent:
# an archive is imported only when one of its images is missing there or has another
# digest. Needs the cluster's containerd running (up.sh runs this after starting it).
#   tools/cluster/load-images.sh            every archive of IMAGE_ARCHIVES (lib.sh) in $CACHE/images
#   tools/cluster/load-images.sh --list     the images in containerd, one per line (name digest)
#   tools/cluster/load-images.sh --check    exit 0 only when every archived image is imported
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"
mode="${1:-load}"
[[ "$(id -u)" -eq 0 ]] || die "load-images.sh must run as root (the containerd socket is root's)"
ctr_ version >/dev/null 2>&1 || die "load-images.sh: containerd does not answer on $CONTAINERD_SOCK (tools/cluster/up.sh starts it)"

present() { ctr_ images ls 2>/dev/null | awk 'NR > 1 {print $1, $3}'; }
if [[ "$mode" == --list ]]; then present; exit 0; fi

have="$(present)"
missing=0
for a in "${IMAGE_ARCHIVES[@]}"; do
  f="$IMAGES/$a.tar"
  [[ -s "$f" ]] || die "load-images.sh: $f missing: run tools/cluster/build.sh"
  want="$(tar -xOf "$f" index.json | jq -r '.manifests[] | "\(.annotations["io.containerd.image.name"]) \(.digest)"')"
  stale=()
  while read -r ref dig; do grep -qxF "$ref $dig" <<<"$have" || stale+=("$ref"); done <<<"$want"
  [[ ${#stale[@]} -eq 0 ]] && continue
  if [[ "$mode" == --check ]]; then echo "not imported: ${stale[*]}" >&2; missing=1; continue; fi
  t0=$(date +%s)
  ctr_ images import --no-unpack=false "$f" >/dev/null
  have="$(present)"
  while read -r ref dig; do
    grep -qxF "$ref $dig" <<<"$have" || die "load-images.sh: importing $f did not produce $ref@$dig"
  done <<<"$want"
  log "image: imported ${stale[*]} from $a.tar in $(($(date +%s) - t0))s"
done
exit "$missing"
