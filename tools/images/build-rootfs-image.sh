#!/usr/bin/env bash
# Make an OCI image archive from root filesystem directories (layers), with tar,
# sha256sum and jq only (no Docker, no registry). Import it with
#   ctr -n k8s.io images import <archive>     or     docker load -i <archive>
# (the archive carries the image name in the io.containerd.image.name and
# org.opencontainers.image.ref.name annotations, and in manifest.json's RepoTags).
# The same archive is both formats: an OCI layout (oci-layout, index.json, blobs/) and,
# next to it, the docker-archive manifest.json that `docker load` needs (Docker 20.10 loads
# no OCI layout); its Config and Layers name the same blobs. containerd reads the OCI
# index when oci-layout is present and ignores manifest.json, so its digests do not change.
#
#   build-rootfs-image.sh --rootfs DIR|LAYER.tar [--rootfs DIR|LAYER.tar]... --name localhost/NAME:TAG
#       (--out FILE.tar | --layout DIR)
#       [--entrypoint ARG]... [--cmd ARG]... [--env K=V]... \
#       [--workdir DIR] [--user UID[:GID]] [--label K=V]... [--stop-signal SIG]
#
# --rootfs repeats: the layers, bottom first; a directory is tarred, a .tar file
# (a layer made before, e.g. by `--layer-tar`) is taken as it is, so one big base
# layer serves several images. --entrypoint / --cmd / --env / --label repeat: one
# argument each, in order.
# --layout DIR adds the image to an OCI layout directory (blobs shared, index.json
# appended) instead of writing an archive: several images, one archive
# (`build-rootfs-image.sh --pack DIR --out FILE.tar`), one import.
#   build-rootfs-image.sh --layer-tar DIR --out LAYER.tar    only make a layer tar
# A layer is an uncompressed tar with fixed mtimes and numeric owners, sorted,
# so the same rootfs gives the same digests. /proc, /sys and /dev contents are
# left out (the runtime mounts them). Names must start with localhost/ so that
# an accidental pull can only ever reach 127.0.0.1.
set -euo pipefail

die() { echo "build-rootfs-image: $*" >&2; exit 1; }
name="" out="" workdir="" user="" layout="" pack="" layer_only="" stop_signal=""
layers=() entry=() cmd=() env=() labels=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rootfs) layers+=("$2"); shift 2 ;;
    --layout) layout="$2"; shift 2 ;;
    --pack) pack="$2"; shift 2 ;;
    --layer-tar) layer_only="$2"; shift 2 ;;
    --stop-signal) stop_signal="$2"; shift 2 ;;
    --name) name="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --entrypoint) entry+=("$2"); shift 2 ;;
    --cmd) cmd+=("$2"); shift 2 ;;
    --env) env+=("$2"); shift 2 ;;
    --label) labels+=("$2"); shift 2 ;;
    --workdir) workdir="$2"; shift 2 ;;
    --user) user="$2"; shift 2 ;;
    -h | --help) sed -n '2,28p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
command -v jq >/dev/null || die "jq is needed (apt-get install jq)"

# layer_tar <dir> <out>: the deterministic layer tar of a directory
layer_tar() {
  # --xattrs makes tar write PAX headers: without atime/ctime in them, or no two builds agree
  tar -C "$1" --numeric-owner --sort=name --mtime=@0 --format=posix --xattrs \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    --exclude=./proc/* --exclude=./sys/* --exclude=./dev/* \
    -cf "$2" .
}
# docker_manifest <layout dir>: the docker-archive manifest.json of every image in the index
docker_manifest() {
  local d hex
  jq -c '.manifests[] | [.digest, .annotations["io.containerd.image.name"]]' "$1/index.json" | while read -r d; do
    hex="$(jq -r '.[0]' <<<"$d")"; hex="${hex#sha256:}"
    jq -c --arg name "$(jq -r '.[1]' <<<"$d")" '{Config: ("blobs/sha256/" + (.config.digest | ltrimstr("sha256:"))),
      RepoTags: [$name], Layers: [.layers[].digest | "blobs/sha256/" + ltrimstr("sha256:")]}' "$1/blobs/sha256/$hex"
  done | jq -s .
}
# pack <layout dir> <out.tar>
pack_layout() {
  mkdir -p "$(dirname "$2")"
  docker_manifest "$1" >"$1/manifest.json"
  tar -C "$1" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$2.tmp.$$" oci-layout index.json manifest.json blobs
  mv -f "$2.tmp.$$" "$2"
}

if [[ -n "$layer_only" ]]; then
  [[ -d "$layer_only" && -n "$out" ]] || die "--layer-tar DIR --out LAYER.tar"
  layer_tar "$layer_only" "$out.tmp.$$" && mv -f "$out.tmp.$$" "$out"
  exit 0
fi
if [[ -n "$pack" ]]; then
  [[ -f "$pack/index.json" && -n "$out" ]] || die "--pack DIR (an OCI layout) --out FILE.tar"
  pack_layout "$pack" "$out"
  echo "$(jq -r '[.manifests[].annotations["io.containerd.image.name"]] | join(" ")' "$pack/index.json")  $out"
  exit 0
fi
[[ ${#layers[@]} -gt 0 ]] || die "--rootfs DIR|LAYER.tar is required"
for l in "${layers[@]}"; do [[ -d "$l" || -f "$l" ]] || die "--rootfs $l: no such directory or layer tar"; done
[[ "$name" == localhost/*:* ]] || die "--name must look like localhost/<name>:<tag> (got '${name}')"
[[ -n "$out" || -n "$layout" ]] || die "--out FILE or --layout DIR is required"

work="$(mktemp -d "${TMPDIR:-/tmp}/oci-image.XXXXXX")"
trap 'rm -rf "$work"' EXIT
oci="${layout:-$work/oci}"
blobs="$oci/blobs/sha256"
mkdir -p "$blobs"

# put_blob <file> [keep]: move (or, with keep, hard-link or copy) a file into blobs/ under its digest; print "<hex> <size>"
put_blob() {
  local hex size
  hex="$(sha256sum "$1" | cut -d' ' -f1)"
  size="$(stat -c %s "$1")"
  if [[ -e "$blobs/$hex" ]]; then [[ -n "${2:-}" ]] || rm -f "$1"
  elif [[ -n "${2:-}" ]]; then ln -f "$1" "$blobs/$hex" 2>/dev/null || cp -f "$1" "$blobs/$hex"
  else mv -f "$1" "$blobs/$hex"; fi
  echo "$hex $size"
}

# --- the layers ---
layer_hexes=() layer_sizes=()
for i in "${!layers[@]}"; do
  l="${layers[$i]}"
  if [[ -d "$l" ]]; then
    layer_tar "$l" "$work/layer$i.tar"
    read -r hex size < <(put_blob "$work/layer$i.tar")
  else
    # a prebuilt layer: its digest is cached next to it (sha256 of 500 MB takes seconds)
    if [[ -s "$l.sha256" && "$l.sha256" -nt "$l" ]]; then
      hex="$(cat "$l.sha256")"; size="$(stat -c %s "$l")"
      [[ -e "$blobs/$hex" ]] || ln -f "$l" "$blobs/$hex" 2>/dev/null || cp -f "$l" "$blobs/$hex"
    else
      read -r hex size < <(put_blob "$l" keep)
      echo "$hex" >"$l.sha256"
    fi
  fi
  layer_hexes+=("$hex"); layer_sizes+=("$size")
done

# --- the config ---
json_array() { if [[ $# -eq 0 ]]; then echo null; else jq -cn '$ARGS.positional' --args -- "$@"; fi; }
json_labels() {
  if [[ $# -eq 0 ]]; then echo null; return; fi
  jq -cn '$ARGS.positional | map(capture("^(?<key>[^=]+)=(?<value>.*)$")) | from_entries' --args -- "$@"
}
diffs="$(printf 'sha256:%s\n' "${layer_hexes[@]}" | jq -R . | jq -cs .)"
jq -n --argjson entry "$(json_array "${entry[@]}")" --argjson cmd "$(json_array "${cmd[@]}")" \
  --argjson env "$(json_array "${env[@]}")" --argjson labels "$(json_labels "${labels[@]}")" \
  --arg workdir "$workdir" --arg user "$user" --arg stop "$stop_signal" --argjson diffs "$diffs" '
  {architecture: "amd64", os: "linux",
   config: ({Entrypoint: $entry, Cmd: $cmd, Env: $env, Labels: $labels, WorkingDir: $workdir, User: $user, StopSignal: $stop}
            | with_entries(select(.value != null and .value != ""))),
   rootfs: {type: "layers", diff_ids: $diffs},
   history: [$diffs[] | {created: "1970-01-01T00:00:00Z", created_by: "tools/images/build-rootfs-image.sh"}]}' \
  >"$work/config.json"
read -r config_hex config_size < <(put_blob "$work/config.json")

# --- the manifest and the index ---
layer_descs="$(for i in "${!layer_hexes[@]}"; do
  jq -cn --arg d "sha256:${layer_hexes[$i]}" --argjson s "${layer_sizes[$i]}" '{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $d, size: $s}'
done | jq -cs .)"
jq -n --arg c "sha256:$config_hex" --argjson cs "$config_size" --argjson layers "$layer_descs" '
  {schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
   config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
   layers: $layers}' \
  >"$work/manifest.json"
read -r manifest_hex manifest_size < <(put_blob "$work/manifest.json")

[[ -f "$oci/index.json" ]] || echo '{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": []}' >"$oci/index.json"
jq --arg m "sha256:$manifest_hex" --argjson ms "$manifest_size" --arg name "$name" --arg tag "${name##*:}" '
  .manifests = ([.manifests[] | select(.annotations["io.containerd.image.name"] != $name)]
    + [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m, size: $ms,
        platform: {architecture: "amd64", os: "linux"},
        annotations: {"io.containerd.image.name": $name, "org.opencontainers.image.ref.name": $tag}}])' \
  "$oci/index.json" >"$work/index.json"
mv -f "$work/index.json" "$oci/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$oci/oci-layout"

total=0; for s in "${layer_sizes[@]}"; do total=$((total + s)); done
if [[ -n "$out" ]]; then pack_layout "$oci" "$out"; where="$out"; else where="$layout"; fi
echo "$name  $where  (${#layer_hexes[@]} layer(s), $((total / 1024 / 1024)) MiB, manifest sha256:${manifest_hex:0:12})"
