#!/usr/bin/env bash
# The images the canton-ha stack runs in the cluster, built from one shared Debian bookworm
# rootfs (debootstrap minbase + postgresql-15 haproxy nginx-light nodejs gosu, users with the
# official images' ids: tools/images/apps/setup.sh). One OCI archive, $CACHE/images/apps.tar,
# holds all four images; they share its big base layer and each adds a small layer of its own:
#
#   localhost/canton-ha/standin-canton:2.9.4  the stand-in Canton node, a TEST DOUBLE (label
#       canton-ha.test-double=true): `canton daemon|run ...` (test/standin/canton.ts); uid 1000
#   localhost/canton-ha/postgres:15           docker-entrypoint.sh as postgres:15 uses it; root
#       (gosu to 999) or 999 directly
#   localhost/canton-ha/haproxy:2.6           haproxy -W -db ...; uid 99
#   localhost/canton-ha/nginx:1.22            nginx ... 'daemon off;'; uid 101
#
# Cached by content: the rootfs by its packages and setup script (debian-rootfs.sh), the
# archive by the rootfs, the stand-in's sources and lockfile, the entrypoint files and the
# scripts. tools/cluster/load-images.sh (run by up.sh) imports what the cluster lacks. The
# archive also carries docker load's manifest.json (build-rootfs-image.sh), so a Docker stack
# runs on the same images: `docker load -i $CACHE/images/apps.tar`.
#   tools/cluster/app-images.sh [--force]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"
force=false; [[ "${1:-}" == --force ]] && force=true
[[ "$(id -u)" -eq 0 ]] || die "app-images.sh must run as root (debootstrap, chroot, file owners)"
command -v node >/dev/null || die "app-images.sh: node is not on PATH"
[[ -x "$REPO/node_modules/.bin/esbuild" ]] || die "app-images.sh: node_modules missing: run scripts/setup.sh node"

mkimg="$REPO/tools/images/build-rootfs-image.sh"
apps="$REPO/tools/images/apps"
PKGS=(postgresql-15 haproxy nginx-light nodejs gosu)
mkdir -p "$IMAGES"
t0=$(date +%s)

rootfs="$("$REPO/tools/images/debian-rootfs.sh" --setup "$apps/setup.sh" canton-ha-apps "${PKGS[@]}")"

key="$( {
  echo "$rootfs ${APP_IMAGES[*]}"
  sha256sum "${BASH_SOURCE[0]}" "$mkimg" "$apps"/* "$REPO/package-lock.json" | cut -d' ' -f1
  for f in "$REPO"/test/standin/*.ts; do [[ "$f" == *.test.ts ]] || sha256sum "$f" | cut -d' ' -f1; done
} | sha256sum | cut -c1-16)"
if ! $force && [[ "$(cat "$IMAGES/apps.key" 2>/dev/null)" == "$key" && -s "$IMAGES/apps.tar" ]]; then
  printf '%-26s %-9s cached (%s)\n' app-images "" "$IMAGES/apps.tar"
  exit 0
fi

# Versions the tags promise.
ver() { chroot "$rootfs" "$@" 2>&1 | head -1; }
pg_v="$(ver /usr/lib/postgresql/15/bin/postgres --version)"
ha_v="$(ver /usr/sbin/haproxy -v)"
ng_v="$(ver /usr/sbin/nginx -v)"
node_v="$(ver /usr/bin/node --version)"
[[ "$pg_v" == *" 15."* ]] || die "app-images.sh: postgres is not 15: $pg_v"
[[ "$ha_v" == *" 2.6."* ]] || die "app-images.sh: haproxy is not 2.6: $ha_v"
[[ "$ng_v" == *"nginx/1.22."* ]] || die "app-images.sh: nginx is not 1.22: $ng_v"
[[ "$node_v" == v1[89].* || "$node_v" == v2* ]] || die "app-images.sh: node too old: $node_v"

work="$(mktemp -d "${TMPDIR:-/tmp}/app-images.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# The shared base layer, kept next to the archive (its digest in <tar>.sha256).
mkdir -p "$IMAGES/layers"
base="$IMAGES/layers/$(basename "$rootfs").tar"
if [[ ! -s "$base" ]]; then
  rm -f "$IMAGES/layers/"*.tar "$IMAGES/layers/"*.sha256
  "$mkimg" --layer-tar "$rootfs" --out "$base"
fi

# thin <name>: an empty root for a layer of one image (mode 0755: the layer's "./" entry is the image's /)
thin() { mkdir -p "$work/$1"; chmod 0755 "$work/$1"; echo "$work/$1"; }

# --- the stand-in Canton node: the esbuild bundle for Debian's node, and `canton`
s="$(thin standin)"
install -d -m 0755 "$s/opt" "$s/opt/canton-standin" "$s/usr" "$s/usr/local" "$s/usr/local/bin" "$s/canton" "$s/canton/bin"
# (the builder lives in the repo's git-ignored .cache, where it finds esbuild in node_modules)
builder="$REPO/.cache/standin/bundler-$$.cjs"
(cd "$REPO" && node_modules/.bin/esbuild test/standin/bundle.ts --bundle --platform=node --target=node20 --packages=external \
  --outfile="$builder" --log-level=warning && node "$builder" test/standin/main.ts "$s/opt/canton-standin/standin.js" node18) ||
  { rm -f "$builder"; die "app-images.sh: the stand-in bundle failed"; }
rm -f "$builder"
chmod 0644 "$s/opt/canton-standin/standin.js"
install -m 0755 "$apps/canton" "$s/usr/local/bin/canton"
ln -s /usr/local/bin/canton "$s/canton/bin/canton"
# the bundle must load (every module of it) and answer on the image's own node
out="$(chroot "$rootfs" /usr/bin/node - --version <"$s/opt/canton-standin/standin.js" 2>&1)" ||
  die "app-images.sh: the stand-in bundle does not run on the image's node ($node_v): $out"
[[ "$out" == *"TEST DOUBLE"* ]] || die "app-images.sh: unexpected stand-in --version output: $out"

# --- postgres:15, haproxy:2.6, nginx:1.22: their entrypoints
p="$(thin postgres)"
install -d -m 0755 "$p/usr" "$p/usr/local" "$p/usr/local/bin"
install -m 0755 "$apps/postgres-entrypoint.sh" "$p/usr/local/bin/docker-entrypoint.sh"
install -m 0755 "$apps/gosu" "$p/usr/local/bin/gosu"
h="$(thin haproxy)"
install -d -m 0755 "$h/usr" "$h/usr/local" "$h/usr/local/bin"
install -m 0755 "$apps/haproxy-entrypoint.sh" "$h/usr/local/bin/docker-entrypoint.sh"
n="$(thin nginx)"
install -m 0755 "$apps/nginx-entrypoint.sh" "$n/docker-entrypoint.sh"

layout="$work/layout"
PATH_ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
desc() { echo "org.opencontainers.image.description=$1"; }
"$mkimg" --layout "$layout" --rootfs "$base" --rootfs "$s" --name "$STANDIN_IMAGE" \
  --entrypoint /usr/local/bin/canton --cmd --help --user 1000:1000 --workdir /canton \
  --env "$PATH_ENV" --env LANG=C.UTF-8 --env HOME=/tmp \
  --label "$(desc "canton-ha stand-in Canton node: a TEST DOUBLE, NOT Canton (test/standin/README.md); node $node_v")" \
  --label canton-ha.test-double=true --label org.opencontainers.image.version=2.9.4-standin
"$mkimg" --layout "$layout" --rootfs "$base" --rootfs "$p" --name "$POSTGRES_IMAGE" \
  --entrypoint docker-entrypoint.sh --cmd postgres --stop-signal SIGINT \
  --env "$PATH_ENV:/usr/lib/postgresql/15/bin" --env LANG=C.UTF-8 --env PG_MAJOR=15 --env PGDATA=/var/lib/postgresql/data \
  --label "$(desc "canton-ha postgres:15 (Debian $pg_v) with the official image's entrypoint semantics")"
"$mkimg" --layout "$layout" --rootfs "$base" --rootfs "$h" --name "$HAPROXY_IMAGE" \
  --entrypoint docker-entrypoint.sh --cmd haproxy --cmd -f --cmd /usr/local/etc/haproxy/haproxy.cfg \
  --user 99:99 --workdir /var/lib/haproxy --stop-signal SIGUSR1 --env "$PATH_ENV" --env LANG=C.UTF-8 \
  --label "$(desc "canton-ha haproxy:2.6 (Debian $ha_v)")"
"$mkimg" --layout "$layout" --rootfs "$base" --rootfs "$n" --name "$NGINX_IMAGE" \
  --entrypoint /docker-entrypoint.sh --cmd nginx --cmd -g --cmd 'daemon off;' \
  --user 101:101 --stop-signal SIGQUIT --env "$PATH_ENV" --env LANG=C.UTF-8 \
  --label "$(desc "canton-ha nginx:1.22 (Debian $ng_v, nginx-light)")"
"$mkimg" --pack "$layout" --out "$IMAGES/apps.tar"
echo "$key" >"$IMAGES/apps.key"
printf '%-26s %-9s built in %ss (%s MiB; base layer %s MiB)\n' app-images "" "$(($(date +%s) - t0))" \
  "$(($(stat -c %s "$IMAGES/apps.tar") / 1048576))" "$(($(stat -c %s "$base") / 1048576))"
