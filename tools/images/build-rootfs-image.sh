#!/usr/bin/env bash
# Make a single-layer OCI image archive from a root filesystem directory, with
# tar, sha256sum and jq only (no Docker, no registry). Import it with
#   ctr -n k8s.io images import <archive>
# (the archive carries the image name in the io.containerd.image.name and
# org.opencontainers.image.ref.name annotations).
#
#   build-rootfs-image.sh --rootfs DIR --name localhost/NAME:TAG --out FILE.tar \
#       [--entrypoint ARG]... [--cmd ARG]... [--env K=V]... \
#       [--workdir DIR] [--user UID[:GID]] [--label K=V]...
#
# --entrypoint / --cmd / --env / --label repeat: one argument each, in order.
# The layer is an uncompressed tar with fixed mtimes and numeric owners, sorted,
# so the same rootfs gives the same digests. /proc, /sys and /dev contents are
# left out (the runtime mounts them). Names must start with localhost/ so that
# an accidental pull can only ever reach 127.0.0.1.
set -euo pipefail

die() { echo "build-rootfs-image: $*" >&2; exit 1; }
rootfs="" name="" out="" workdir="" user=""
entry=() cmd=() env=() labels=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rootfs) rootfs="$2"; shift 2 ;;
    --name) name="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --entrypoint) entry+=("$2"); shift 2 ;;
    --cmd) cmd+=("$2"); shift 2 ;;
    --env) env+=("$2"); shift 2 ;;
    --label) labels+=("$2"); shift 2 ;;
    --workdir) workdir="$2"; shift 2 ;;
    --user) user="$2"; shift 2 ;;
    -h | --help) sed -n '2,17p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
[[ -d "$rootfs" ]] || die "--rootfs DIR is required (got '${rootfs}')"
[[ "$name" == localhost/*:* ]] || die "--name must look like localhost/<name>:<tag> (got '${name}')"
[[ -n "$out" ]] || die "--out FILE is required"
command -v jq >/dev/null || die "jq is needed (apt-get install jq)"

work="$(mktemp -d "${TMPDIR:-/tmp}/oci-image.XXXXXX")"
trap 'rm -rf "$work"' EXIT
blobs="$work/oci/blobs/sha256"
mkdir -p "$blobs"

# put_blob <file>: move a file into blobs/ under its digest; print "<hex> <size>"
put_blob() {
  local hex size
  hex="$(sha256sum "$1" | cut -d' ' -f1)"
  size="$(stat -c %s "$1")"
  mv -f "$1" "$blobs/$hex"
  echo "$hex $size"
}

# --- the layer ---
tar -C "$rootfs" --numeric-owner --sort=name --mtime=@0 --format=gnu --xattrs \
  --exclude=./proc/* --exclude=./sys/* --exclude=./dev/* \
  -cf "$work/layer.tar" .
read -r layer_hex layer_size < <(put_blob "$work/layer.tar")

# --- the config ---
json_array() { if [[ $# -eq 0 ]]; then echo null; else jq -cn '$ARGS.positional' --args -- "$@"; fi; }
json_labels() {
  if [[ $# -eq 0 ]]; then echo null; return; fi
  jq -cn '$ARGS.positional | map(capture("^(?<key>[^=]+)=(?<value>.*)$")) | from_entries' --args -- "$@"
}
jq -n --argjson entry "$(json_array "${entry[@]}")" --argjson cmd "$(json_array "${cmd[@]}")" \
  --argjson env "$(json_array "${env[@]}")" --argjson labels "$(json_labels "${labels[@]}")" \
  --arg workdir "$workdir" --arg user "$user" --arg diff "sha256:$layer_hex" '
  {architecture: "amd64", os: "linux",
   config: ({Entrypoint: $entry, Cmd: $cmd, Env: $env, Labels: $labels, WorkingDir: $workdir, User: $user}
            | with_entries(select(.value != null and .value != ""))),
   rootfs: {type: "layers", diff_ids: [$diff]},
   history: [{created: "1970-01-01T00:00:00Z", created_by: "tools/images/build-rootfs-image.sh"}]}' \
  >"$work/config.json"
read -r config_hex config_size < <(put_blob "$work/config.json")

# --- the manifest and the index ---
jq -n --arg c "sha256:$config_hex" --argjson cs "$config_size" --arg l "sha256:$layer_hex" --argjson ls "$layer_size" '
  {schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
   config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
   layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]}' \
  >"$work/manifest.json"
read -r manifest_hex manifest_size < <(put_blob "$work/manifest.json")

jq -n --arg m "sha256:$manifest_hex" --argjson ms "$manifest_size" --arg name "$name" --arg tag "${name##*:}" '
  {schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
   manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m, size: $ms,
                platform: {architecture: "amd64", os: "linux"},
                annotations: {"io.containerd.image.name": $name, "org.opencontainers.image.ref.name": $tag}}]}' \
  >"$work/oci/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$work/oci/oci-layout"

mkdir -p "$(dirname "$out")"
tar -C "$work/oci" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$out.tmp.$$" oci-layout index.json blobs
mv -f "$out.tmp.$$" "$out"
echo "$name  $out  (layer $((layer_size / 1024)) KiB, manifest sha256:${manifest_hex:0:12})"
