#!/usr/bin/env bash
# Make a tiny root filesystem from Debian's busybox-static: /bin/busybox with
# a symlink per applet, /etc/passwd + /etc/group (root, nobody), /tmp.
#   busybox-rootfs.sh <dir>      (the dir is replaced)
set -euo pipefail
dir="${1:?usage: busybox-rootfs.sh <dir>}"
bb=/bin/busybox
[[ -x "$bb" ]] && [[ "$("$bb" --help 2>&1 || true)" == BusyBox* ]] || {
  echo "busybox-rootfs: $bb missing (apt-get install busybox-static)" >&2; exit 1; }
file_out="$(file -b "$bb" 2>/dev/null || true)"
if [[ -n "$file_out" && "$file_out" != *static* ]]; then
  echo "busybox-rootfs: $bb is not static ($file_out); install busybox-static" >&2; exit 1
fi
rm -rf "$dir"
mkdir -p "$dir"/{bin,etc,tmp,root,var/www,proc,sys,dev}
chmod 1777 "$dir/tmp"
install -m 0755 "$bb" "$dir/bin/busybox"
for applet in $("$bb" --list); do
  [[ "$applet" == busybox ]] || ln -sf busybox "$dir/bin/$applet"
done
ln -sfn bin "$dir/sbin"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$dir/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
