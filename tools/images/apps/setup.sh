#!/bin/bash
# Runs INSIDE the chroot of the shared Debian rootfs of the app images (debian-rootfs.sh
# --setup), after `apt-get install postgresql-15 haproxy nginx-light nodejs gosu`:
#   - the users get the ids of the official images (and the stand-in's):
#       postgres 999:999 (postgres:15), haproxy 99:99 (haproxy:2.6), nginx 101:101 (nginx:1.22),
#       canton 1000:1000 (the stand-in Canton node)
#     Debian's packages made postgres and haproxy with dynamic ids; they are renumbered and
#     every file they owned follows;
#   - the directories the images' entrypoints and the deployment use, with the official
#     images' owners and modes;
#   - nginx's compiled-in logs go to stdout/stderr (it opens error.log before reading its config);
#   - the snakeoil key ssl-cert generated at install is removed (no private key in an image);
#   - documentation, man pages and message translations are dropped (copyright files are
#     kept), and so is Postgres' JIT: LLVM 14 and Z3 (130 MB of the 490) serve only
#     llvmjit.so; without it Postgres runs with JIT unavailable (pg_jit_available() is
#     false), which the tests never miss. The official image has JIT.
set -euo pipefail
export LC_ALL=C

free_uid() { local i; for ((i = 200; i < 900; i++)); do getent passwd "$i" >/dev/null || { echo "$i"; return; }; done; exit 1; }
free_gid() { local i; for ((i = 200; i < 900; i++)); do getent group "$i" >/dev/null || { echo "$i"; return; }; done; exit 1; }

# set_group <name> <gid>: create or renumber; whoever held <gid> moves to a free id first.
set_group() {
  local name="$1" gid="$2" holder old
  holder="$(getent group "$gid" | cut -d: -f1 || true)"
  [[ "$holder" == "$name" ]] && return 0
  if [[ -n "$holder" ]]; then set_group "$holder" "$(free_gid)"; fi
  if old="$(getent group "$name" | cut -d: -f3)" && [[ -n "$old" ]]; then
    groupmod -g "$gid" "$name"
    find / -xdev -gid "$old" -exec chgrp -h "$gid" {} + 2>/dev/null || true
  else
    groupadd --system -g "$gid" "$name"
  fi
}

# set_user <name> <uid> <gid> <home>: create or renumber (primary group <gid>); files follow.
set_user() {
  local name="$1" uid="$2" gid="$3" home="$4" holder old
  holder="$(getent passwd "$uid" | cut -d: -f1 || true)"
  if [[ -n "$holder" && "$holder" != "$name" ]]; then set_user "$holder" "$(free_uid)" "$(id -g "$holder")" "$(getent passwd "$holder" | cut -d: -f6)"; fi
  if old="$(getent passwd "$name" | cut -d: -f3)" && [[ -n "$old" ]]; then
    if [[ "$old" != "$uid" ]]; then
      usermod -u "$uid" "$name"
      find / -xdev -uid "$old" -exec chown -h "$uid" {} + 2>/dev/null || true
    fi
    usermod -g "$gid" "$name"
  else
    useradd --system --no-create-home -u "$uid" -g "$gid" -d "$home" -s /usr/sbin/nologin "$name"
  fi
}

set_group postgres 999
set_user postgres 999 999 /var/lib/postgresql
set_group haproxy 99
set_user haproxy 99 99 /var/lib/haproxy
set_group nginx 101
set_user nginx 101 101 /nonexistent
set_group canton 1000
set_user canton 1000 1000 /canton

for u in postgres:999:999 haproxy:99:99 nginx:101:101 canton:1000:1000; do
  IFS=: read -r name uid gid <<<"$u"
  [[ "$(id -u "$name")" == "$uid" && "$(id -g "$name")" == "$gid" ]] || { echo "setup: $name is $(id "$name"), wanted $uid:$gid" >&2; exit 1; }
done

# postgres:15 — PGDATA's default, the socket directory, the init hook directory.
install -d -o postgres -g postgres -m 0755 /var/lib/postgresql
install -d -o postgres -g postgres -m 1777 /var/lib/postgresql/data
install -d -o postgres -g postgres -m 3777 /run/postgresql
install -d -m 0755 /docker-entrypoint-initdb.d
# haproxy:2.6 — where the deployment puts haproxy.cfg, and its working directory.
install -d -m 0755 /usr/local/etc/haproxy
install -d -o haproxy -g haproxy -m 0755 /var/lib/haproxy
# nginx:1.22 — logs to the container's stdout/stderr, as the official image links them.
install -d -m 0755 /var/log/nginx /docker-entrypoint.d
ln -sfn /dev/stdout /var/log/nginx/access.log
ln -sfn /dev/stderr /var/log/nginx/error.log
# the stand-in Canton node — Canton's image layout: /canton, the executable in /canton/bin.
install -d -m 0755 /canton /canton/bin /opt/canton-standin

rm -f /etc/ssl/private/ssl-cert-snakeoil.key /etc/ssl/certs/ssl-cert-snakeoil.pem
find /usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
find /usr/share/doc -mindepth 1 -type d -empty -delete 2>/dev/null || true
rm -rf /usr/share/man/* /usr/share/info/* /var/cache/debconf/*-old
find /usr/share/locale -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
rm -rf /usr/lib/postgresql/15/lib/llvmjit*.so /usr/lib/postgresql/15/lib/bitcode
rm -f /usr/lib/x86_64-linux-gnu/libLLVM-14.so* /usr/lib/x86_64-linux-gnu/libz3.so*
# nothing left may need what was removed
if ldd /usr/lib/postgresql/15/bin/* /usr/lib/postgresql/15/lib/*.so /usr/sbin/haproxy /usr/sbin/nginx /usr/bin/node 2>/dev/null | grep -q "not found"; then
  echo "setup: a library the servers need is missing:" >&2
  ldd /usr/lib/postgresql/15/bin/* /usr/lib/postgresql/15/lib/*.so /usr/sbin/haproxy /usr/sbin/nginx /usr/bin/node 2>&1 | grep -B5 "not found" >&2
  exit 1
fi
echo "setup: users $(id postgres) / $(id haproxy) / $(id nginx) / $(id canton)"
