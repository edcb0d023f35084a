#!/usr/bin/env bash
# A Debian bookworm image with apt packages, as an OCI archive (cached rootfs,
# see debian-rootfs.sh; archive made by build-rootfs-image.sh).
#   debian-image.sh <rootfs-name> <localhost/NAME:TAG> <out.tar> [package...] [-- build-rootfs-image args...]
# Example (the proof image with the servers later images need):
#   tools/images/debian-image.sh pg-haproxy-nginx localhost/canton-ha/debian-servers:1 \
#     ~/.cache/canton-ha/images/debian-servers.tar postgresql-15 haproxy nginx-light
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rootfs_name="${1:?usage: debian-image.sh <rootfs-name> <localhost/NAME:TAG> <out.tar> [package...] [-- image args...]}"
image="${2:?image name}" out="${3:?out file}"; shift 3
pkgs=()
while [[ $# -gt 0 && "$1" != -- ]]; do pkgs+=("$1"); shift; done
[[ "${1:-}" == -- ]] && shift
rootfs="$("$here/debian-rootfs.sh" "$rootfs_name" "${pkgs[@]}")"
"$here/build-rootfs-image.sh" --rootfs "$rootfs" --name "$image" --out "$out" \
  --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env LANG=C.UTF-8 \
  --cmd /bin/bash "$@"
