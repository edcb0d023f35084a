#!/usr/bin/env bash
# A Debian bookworm root filesystem (debootstrap --variant=minbase), cached, with
# extra apt packages installed inside (chroot apt-get install).
#
#   debian-rootfs.sh [--setup SCRIPT] <name> [package...]      prints the rootfs directory
#
# --setup SCRIPT runs inside the chroot (bash) after the packages are installed, e.g. to
# give users fixed ids; its content is part of the cache key.
#
# Cached under ${CANTON_HA_IMAGES_CACHE:-$HOME/.cache/canton-ha/images}/rootfs/
#   debian-bookworm-minbase/        the base (a sibling .ok file marks it complete) (debootstrap, ~20-45 s)
#   <name>-<hash>/                  base + packages (hash: package list + setup script + this script)
# The apt mirror is the host's own (first URIs:/deb line of its apt sources,
# read at run time); the chroot gets the host's Debian sources file, nothing
# else of the host's apt configuration. No service starts in the chroot
# (policy-rc.d exits 101), postgresql-common creates no cluster, and apt's
# lists and caches are removed afterwards.
#
# Example: tools/images/debian-rootfs.sh pg-haproxy-nginx postgresql-15 haproxy nginx-light
set -euo pipefail

die() { echo "debian-rootfs: $*" >&2; exit 1; }
setup=""
if [[ "${1:-}" == --setup ]]; then setup="${2:?--setup needs a script}"; shift 2; [[ -f "$setup" ]] || die "no setup script $setup"; fi
name="${1:?usage: debian-rootfs.sh [--setup SCRIPT] <name> [package...]}"; shift
pkgs=("$@")
[[ "$name" =~ ^[a-z0-9][a-z0-9._-]*$ ]] || die "bad name: $name"
[[ "$(id -u)" -eq 0 ]] || die "must run as root (debootstrap, chroot)"
command -v debootstrap >/dev/null || die "debootstrap missing (apt-get install debootstrap)"

cache="${CANTON_HA_IMAGES_CACHE:-$HOME/.cache/canton-ha/images}/rootfs"
suite=bookworm
base="$cache/debian-$suite-minbase"
mkdir -p "$cache"

host_mirror() {
  local m=""
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    m="$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' /etc/apt/sources.list.d/debian.sources)"
  fi
  if [[ -z "$m" && -f /etc/apt/sources.list ]]; then
    m="$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)"
  fi
  [[ -n "$m" ]] || die "cannot find the host's Debian mirror in /etc/apt/sources.list(.d)"
  echo "$m"
}

mounted=()
cleanup() { local m; for m in "${mounted[@]}"; do umount -l "$m" 2>/dev/null || true; done; }
trap cleanup EXIT

if [[ ! -f "$base.ok" ]]; then
  start=$(date +%s)
  rm -rf "$base.tmp"
  echo "debian-rootfs: debootstrap --variant=minbase $suite (mirror from the host's apt sources)" >&2
  debootstrap --variant=minbase "$suite" "$base.tmp" "$(host_mirror)" >"$cache/debootstrap.log" 2>&1 ||
    { tail -20 "$cache/debootstrap.log" >&2; die "debootstrap failed (log: $cache/debootstrap.log)"; }
  rm -rf "$base.tmp/var/cache/apt/archives/"*.deb "$base.tmp/var/lib/apt/lists/"*_Packages 2>/dev/null || true
  rm -rf "$base"; mv "$base.tmp" "$base"; touch "$base.ok"
  echo "debian-rootfs: base in $(($(date +%s) - start)) s" >&2
fi

if [[ ${#pkgs[@]} -eq 0 ]]; then echo "$base"; exit 0; fi

hash="$(printf '%s\n' "${pkgs[@]}" | sort | cat - "${BASH_SOURCE[0]}" ${setup:+"$setup"} | sha256sum | cut -c1-12)"
out="$cache/$name-$hash"
if [[ -f "$out.ok" ]]; then echo "$out"; exit 0; fi

start=$(date +%s)
rm -rf "$out.tmp"
cp -a "$base" "$out.tmp"
r="$out.tmp"
# the host's Debian sources (the base has only the suite's main line)
if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
  install -m 0644 /etc/apt/sources.list.d/debian.sources "$r/etc/apt/sources.list.d/debian.sources"
  : >"$r/etc/apt/sources.list"
fi
printf '#!/bin/sh\nexit 101\n' >"$r/usr/sbin/policy-rc.d"; chmod 755 "$r/usr/sbin/policy-rc.d"
mkdir -p "$r/etc/postgresql-common/createcluster.d"
echo "create_main_cluster = false" >"$r/etc/postgresql-common/createcluster.d/no-main-cluster.conf"
cp -L /etc/resolv.conf "$r/etc/resolv.conf" 2>/dev/null || true
mount -t proc proc "$r/proc"; mounted+=("$r/proc")
export DEBIAN_FRONTEND=noninteractive
echo "debian-rootfs: chroot apt-get install ${pkgs[*]}" >&2
if ! { chroot "$r" apt-get update -q -o DPkg::Lock::Timeout=600 &&
       chroot "$r" apt-get install -y -q --no-install-recommends "${pkgs[@]}"; } >"$cache/$name.log" 2>&1; then
  tail -20 "$cache/$name.log" >&2; die "apt-get install in the chroot failed (log: $cache/$name.log)"
fi
chroot "$r" apt-get clean
if [[ -n "$setup" ]]; then
  echo "debian-rootfs: setup $(basename "$setup") in the chroot" >&2
  install -m 0755 "$setup" "$r/tmp/debian-rootfs-setup.sh"
  if ! chroot "$r" /bin/bash /tmp/debian-rootfs-setup.sh >>"$cache/$name.log" 2>&1; then
    tail -20 "$cache/$name.log" >&2; die "setup script $setup failed in the chroot (log: $cache/$name.log)"
  fi
  rm -f "$r/tmp/debian-rootfs-setup.sh"
fi
umount "$r/proc"; mounted=()
rm -rf "$r/var/lib/apt/lists/"* "$r/usr/sbin/policy-rc.d" "$r/var/log/"*.log "$r/var/log/apt/"*
: >"$r/etc/resolv.conf"
rm -rf "$out"; mv "$r" "$out"; touch "$out.ok"
echo "debian-rootfs: $name in $(($(date +%s) - start)) s" >&2
echo "$out"
