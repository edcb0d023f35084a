#!/usr/bin/env bash
# The images the cluster itself needs, as OCI archives in $CACHE/images (cached):
#   pause.tar    localhost/canton-ha/pause:3.10     busybox-static rootfs, sleeps, exits on TERM
#   busybox.tar  localhost/canton-ha/busybox:1      the same rootfs, `sh` (smoke test: httpd)
#   coredns.tar  localhost/canton-ha/coredns:1.14.7 the CoreDNS binary built by build.sh + /etc/passwd
# up.sh imports them into the cluster's containerd (ctr images import).
#   tools/cluster/images.sh [--force]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"
force=false; [[ "${1:-}" == --force ]] && force=true

mkimg="$REPO/tools/images/build-rootfs-image.sh"
[[ -x "$BIN/coredns" ]] || die "images.sh: $BIN/coredns missing: run tools/cluster/build.sh first"
mkdir -p "$IMAGES"

key="$( { sha256sum /bin/busybox "$(readlink -f "$BIN/coredns")" "${BASH_SOURCE[0]}" \
  "$mkimg" "$REPO/tools/images/busybox-rootfs.sh" | cut -d' ' -f1; echo "$PAUSE_IMAGE $BUSYBOX_IMAGE $COREDNS_IMAGE"; } |
  sha256sum | cut -c1-16)"
if ! $force && [[ "$(cat "$IMAGES/.key" 2>/dev/null)" == "$key" ]] &&
   [[ -s "$IMAGES/pause.tar" && -s "$IMAGES/busybox.tar" && -s "$IMAGES/coredns.tar" ]]; then
  printf '%-26s %-9s cached (%s)\n' images "" "$IMAGES"
  exit 0
fi

start=$(date +%s)
work="$(mktemp -d "${TMPDIR:-/tmp}/cluster-images.XXXXXX")"
trap 'rm -rf "$work"' EXIT

"$REPO/tools/images/busybox-rootfs.sh" "$work/busybox"
# pause: PID 1 of every pod sandbox. A shell with a TERM trap (PID 1 has no
# default signal handlers, so a bare `sleep` would ignore TERM).
"$mkimg" --rootfs "$work/busybox" --name "$PAUSE_IMAGE" --out "$IMAGES/pause.tar" \
  --entrypoint /bin/sh --entrypoint -c \
  --entrypoint 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done' \
  --user 65534:65534 --label org.opencontainers.image.description="canton-ha pause (busybox-static)"
"$mkimg" --rootfs "$work/busybox" --name "$BUSYBOX_IMAGE" --out "$IMAGES/busybox.tar" \
  --cmd /bin/sh --env PATH=/bin --label org.opencontainers.image.description="canton-ha busybox-static"

mkdir -p "$work/coredns/etc" "$work/coredns/tmp"
chmod 1777 "$work/coredns/tmp"
install -m 0755 "$(readlink -f "$BIN/coredns")" "$work/coredns/coredns"
printf 'root:x:0:0:root:/root:/nonexistent\nnobody:x:65534:65534:nobody:/nonexistent:/nonexistent\n' >"$work/coredns/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$work/coredns/etc/group"
"$mkimg" --rootfs "$work/coredns" --name "$COREDNS_IMAGE" --out "$IMAGES/coredns.tar" \
  --entrypoint /coredns --user 65534:65534 \
  --label org.opencontainers.image.description="canton-ha CoreDNS $COREDNS_VERSION (no forward plugin in its Corefile)"

echo "$key" >"$IMAGES/.key"
printf '%-26s %-9s built in %ss\n' images "" "$(($(date +%s) - start))"
