#!/usr/bin/env bash
# Install the real servers the artifact tests use, from Debian's packages:
#   nginx (light or full; must have http_v2, grpc and ssl), haproxy,
#   postgresql-15, openssl, procps;
# and what the single-node Kubernetes cluster of tools/cluster/ runs on:
#   containerd (1.6, with ctr), runc, containernetworking-plugins (/usr/lib/cni),
#   iptables, conntrack, etcd-server (3.4), busybox-static (pause image),
#   debootstrap (Debian base images), jq, curl.
#
# Idempotent: only what is missing is installed, and `apt-get update` runs only
# when something is missing. Services are prevented from starting on install
# (policy-rc.d exit 101), and any system nginx / postgres that is running anyway
# is stopped, so nothing occupies ports 80 / 5432: tests start their own
# throwaway servers on free loopback ports.
#
# Prints one line per package. Exits non-zero if anything is still missing.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold --no-install-recommends)
PG_BIN=/usr/lib/postgresql/15/bin

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); else
    echo "install-apt: must run as root (or with passwordless sudo)" >&2; exit 1
  fi
fi

nginx_bin() { for p in /usr/sbin/nginx "$(command -v nginx 2>/dev/null || true)"; do [ -n "$p" ] && [ -x "$p" ] && { echo "$p"; return 0; }; done; return 1; }

# nginx must have http_v2 + ssl (listed by -V) and grpc (built unless --without-http_grpc_module).
nginx_ok() {
  local b v
  b=$(nginx_bin) || return 1
  v=$("$b" -V 2>&1) || return 1
  grep -q -- '--with-http_v2_module' <<<"$v" && grep -q -- '--with-http_ssl_module' <<<"$v" && ! grep -q -- '--without-http_grpc_module' <<<"$v"
}
haproxy_ok()  { [ -x /usr/sbin/haproxy ] || command -v haproxy >/dev/null 2>&1; }
postgres_ok() { [ -x "$PG_BIN/postgres" ] && [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ]; }
openssl_ok()  { command -v openssl >/dev/null 2>&1; }
procps_ok()   { command -v ps >/dev/null 2>&1 && command -v pgrep >/dev/null 2>&1; }
containerd_ok() { command -v containerd >/dev/null 2>&1 && command -v ctr >/dev/null 2>&1; }
runc_ok()     { command -v runc >/dev/null 2>&1; }
cni_ok()      { [ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] && [ -x /usr/lib/cni/loopback ]; }
iptables_ok() { command -v iptables >/dev/null 2>&1 && command -v ip6tables >/dev/null 2>&1; }
conntrack_ok() { command -v conntrack >/dev/null 2>&1; }
etcd_ok()     { [ -x /usr/bin/etcd ]; }
busybox_ok()  { [ -x /bin/busybox ] && dpkg -s busybox-static >/dev/null 2>&1; }
debootstrap_ok() { command -v debootstrap >/dev/null 2>&1; }
jq_ok()       { command -v jq >/dev/null 2>&1; }
curl_ok()     { command -v curl >/dev/null 2>&1; }

version_of() {
  case "$1" in
    nginx)         "$(nginx_bin)" -v 2>&1 | sed 's/^nginx version: //' ;;
    haproxy)       haproxy -v 2>/dev/null | head -1 | awk '{print $3}' ;;
    postgresql-15) "$PG_BIN/postgres" --version | awk '{print $3}' ;;
    openssl)       openssl version | awk '{print $2}' ;;
    procps)        ps --version 2>&1 | awk '{print $NF}' ;;
    containerd)    containerd --version 2>/dev/null | awk '{print $3}' ;;
    runc)          runc --version 2>/dev/null | awk 'NR == 1 {print $3}' ;;
    containernetworking-plugins) dpkg-query -W -f '${Version}' containernetworking-plugins 2>/dev/null ;;
    iptables)      iptables --version 2>/dev/null | awk '{print $2, $3}' ;;
    conntrack)     conntrack --version 2>/dev/null | awk '{print $2}' ;;
    etcd-server)   /usr/bin/etcd --version 2>/dev/null | awk 'NR == 1 {print $3}' ;;
    busybox-static) dpkg-query -W -f '${Version}' busybox-static 2>/dev/null ;;
    debootstrap)   dpkg-query -W -f '${Version}' debootstrap 2>/dev/null ;;
    jq)            jq --version 2>/dev/null ;;
    curl)          curl --version 2>/dev/null | awk 'NR == 1 {print $2}' ;;
  esac
}

declare -A CHECK=([nginx]=nginx_ok [haproxy]=haproxy_ok [postgresql-15]=postgres_ok [openssl]=openssl_ok [procps]=procps_ok
  [containerd]=containerd_ok [runc]=runc_ok [containernetworking-plugins]=cni_ok [iptables]=iptables_ok
  [conntrack]=conntrack_ok [etcd-server]=etcd_ok [busybox-static]=busybox_ok [debootstrap]=debootstrap_ok
  [jq]=jq_ok [curl]=curl_ok)
# What to install for each: nginx-light first (small); nginx-full if light lacks a module.
declare -A PKG=([nginx]=nginx-light [haproxy]=haproxy [postgresql-15]=postgresql-15 [openssl]=openssl [procps]=procps
  [containerd]=containerd [runc]=runc [containernetworking-plugins]=containernetworking-plugins [iptables]=iptables
  [conntrack]=conntrack [etcd-server]=etcd-server [busybox-static]=busybox-static [debootstrap]=debootstrap
  [jq]=jq [curl]=curl)
ORDER=(nginx haproxy postgresql-15 openssl procps
  containerd runc containernetworking-plugins iptables conntrack etcd-server busybox-static debootstrap jq curl)

missing=()
declare -A STATE
for name in "${ORDER[@]}"; do
  if "${CHECK[$name]}"; then STATE[$name]=present; else STATE[$name]=missing; missing+=("$name"); fi
done

# Make sure services cannot start during install (keep any existing policy-rc.d).
POLICY=/usr/sbin/policy-rc.d
POLICY_BACKUP=""
restore_policy() {
  if [ -n "$POLICY_BACKUP" ]; then "${SUDO[@]}" mv -f "$POLICY_BACKUP" "$POLICY"; POLICY_BACKUP=""
  elif [ "${POLICY_CREATED:-0}" = 1 ]; then "${SUDO[@]}" rm -f "$POLICY"; POLICY_CREATED=0; fi
}

if [ "${#missing[@]}" -gt 0 ]; then
  if [ -e "$POLICY" ]; then
    POLICY_BACKUP=$(mktemp /tmp/policy-rc.d.XXXXXX)
    "${SUDO[@]}" cp -p "$POLICY" "$POLICY_BACKUP"
  else
    POLICY_CREATED=1
  fi
  trap restore_policy EXIT
  printf '#!/bin/sh\n# canton-ha tools/ci/install-apt.sh: no service starts during install\nexit 101\n' | "${SUDO[@]}" tee "$POLICY" >/dev/null
  "${SUDO[@]}" chmod 755 "$POLICY"

  pkgs=()
  for name in "${missing[@]}"; do pkgs+=("${PKG[$name]}"); done
  echo "install-apt: apt-get update (missing: ${missing[*]})" >&2
  "${SUDO[@]}" apt-get update -q -o DPkg::Lock::Timeout=600 >/dev/null
  "${SUDO[@]}" apt-get install "${APT_OPTS[@]}" "${pkgs[@]}" >/tmp/canton-ha-install-apt.log 2>&1 || {
    cat /tmp/canton-ha-install-apt.log >&2; exit 1; }
  if [ "${STATE[nginx]}" = missing ] && ! nginx_ok; then
    echo "install-apt: nginx-light lacks a needed module; installing nginx-full" >&2
    "${SUDO[@]}" apt-get install "${APT_OPTS[@]}" nginx-full >>/tmp/canton-ha-install-apt.log 2>&1 || {
      cat /tmp/canton-ha-install-apt.log >&2; exit 1; }
  fi
  for name in "${missing[@]}"; do STATE[$name]=installed; done
  restore_policy
  trap - EXIT
fi

# No system nginx / postgres may keep running (ports 80 / 5432): tests run their own.
if pgrep -x nginx >/dev/null 2>&1; then
  b=$(nginx_bin || true)
  { [ -n "$b" ] && "${SUDO[@]}" "$b" -s quit 2>/dev/null; } || true
  { command -v service >/dev/null 2>&1 && "${SUDO[@]}" service nginx stop >/dev/null 2>&1; } || true
  sleep 1
  for pid in $(pgrep -x nginx || true); do
    # only the system one: its master reads /etc/nginx
    if tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null | grep -q 'master process /usr/sbin/nginx$\|master process /usr/sbin/nginx -g'; then
      "${SUDO[@]}" kill "$pid" 2>/dev/null || true
    fi
  done
  echo "install-apt: stopped the system nginx" >&2
fi
if command -v pg_lsclusters >/dev/null 2>&1; then
  while read -r ver cluster _port status _rest; do
    if [ "$status" = online ]; then
      "${SUDO[@]}" pg_ctlcluster "$ver" "$cluster" stop -m fast >/dev/null 2>&1 || true
      echo "install-apt: stopped the system postgres cluster $ver/$cluster" >&2
    fi
  done < <(pg_lsclusters -h 2>/dev/null || true)
fi
if command -v ss >/dev/null 2>&1; then
  for port in 80 5432; do
    if ss -Hltn "( sport = :$port )" 2>/dev/null | grep -q .; then
      echo "install-apt: WARNING: something still listens on port $port:" >&2
      ss -Hltnp "( sport = :$port )" >&2 || true
    fi
  done
fi

rc=0
for name in "${ORDER[@]}"; do
  if "${CHECK[$name]}"; then
    printf '%-28s %-9s %s\n' "$name" "${STATE[$name]}" "$(version_of "$name")"
  else
    printf '%-28s %-9s %s\n' "$name" "MISSING" "still missing after install"; rc=1
  fi
done
exit "$rc"
