#!/usr/bin/env bash
# Build the Pulumi engine (CLI, Node.js language host, provider plugins) from
# Go modules, into <repo>/bin (git-ignored), with a per-machine cache.
#
#   tools/engine/build.sh            build what is missing; quick when cached
#   tools/engine/build.sh --update   first rewrite the wrapper go.mod files to
#                                    the versions in package.json (go mod tidy;
#                                    needs the module proxy), then build
#   tools/engine/build.sh --probe    also ask the module proxy again whether the
#                                    provider modules it refused are available now
#
# Versions come from package.json (the single source of truth): the CLI is
# built at the @pulumi/pulumi version. Finished binaries are kept in
#   ${CANTON_HA_ENGINE_CACHE:-$HOME/.cache/canton-ha/engine}/<binary>-<version>-<hash>
# where <hash> covers the build inputs (wrapper go.mod/go.sum/*.go, Go version,
# build flags), and are copied into bin/. See tools/engine/README.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="$repo/bin"
cache="${CANTON_HA_ENGINE_CACHE:-$HOME/.cache/canton-ha/engine}"

update=false
probe=false
for arg in "$@"; do
  case "$arg" in
    --update) update=true ;;
    --probe) probe=true ;;
    -h | --help) sed -n '2,17p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "build.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

command -v go >/dev/null || { echo "build.sh: go is not on PATH" >&2; exit 1; }
command -v node >/dev/null || { echo "build.sh: node is not on PATH" >&2; exit 1; }

# The checksum database does not know the newest Pulumi releases here; the
# committed go.sum files pin the hashes instead.
export GONOSUMDB="${GONOSUMDB:+$GONOSUMDB,}github.com/pulumi"
# Fixed flags (part of the cache key), whatever GOFLAGS the caller has.
export GOFLAGS="-buildvcs=false -trimpath"

# --- versions from package.json ---------------------------------------------
npm_version() {
  node -e '
    const p = require(process.argv[1]);
    const v = (p.dependencies || {})[process.argv[2]] || (p.devDependencies || {})[process.argv[2]];
    if (!v) { console.error("package.json has no " + process.argv[2]); process.exit(1); }
    if (!/^\d+\.\d+\.\d+$/.test(v)) { console.error(process.argv[2] + " must be pinned exactly, got " + v); process.exit(1); }
    console.log(v);' "$repo/package.json" "$1"
}
v_pulumi="$(npm_version @pulumi/pulumi)"
v_tls="$(npm_version @pulumi/tls)"
v_random="$(npm_version @pulumi/random)"
v_kubernetes="$(npm_version @pulumi/kubernetes)"
v_docker="$(npm_version @pulumi/docker)"

# The Node.js language host: its own module (sdk/nodejs/cmd/pulumi-language-nodejs/v3)
# is refused by the module proxy here at every version tried, so it is built
# from the sdk/v3 module, where it lived up to v3.68.0 (see README.md).
v_langhost="3.68.0"

# --- helpers ------------------------------------------------------------------
total_start=$(date +%s)
mkdir -p "$bin" "$cache"
go_version="$(go env GOVERSION)"
failures=0

require_version() { # <wrapper dir> <module> <version>
  local dir="$1" mod="$2" ver="$3" have
  have="$(cd "$dir" && go list -m -f '{{.Version}}' "$mod" 2>/dev/null || true)"
  if [[ "$have" == "v$ver" ]]; then return 0; fi
  if $update; then
    echo "  updating $(basename "$dir")/go.mod: $mod $have -> v$ver"
    (cd "$dir" && go mod edit -require="$mod@v$ver" && GOFLAGS=-mod=mod go mod tidy)
  else
    echo "build.sh: $dir/go.mod requires $mod ${have:-?} but package.json says $ver;" \
      "run 'tools/engine/build.sh --update' and commit the wrapper go.mod/go.sum" >&2
    exit 1
  fi
}

inputs_hash() { # <wrapper dir> <extra...>
  local dir="$1"; shift
  {
    printf '%s\n' "$go_version" "$GOFLAGS" "$@"
    (cd "$dir" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' -o -name '*.json' \) -print0 |
      sort -z | xargs -0 sha256sum)
  } | sha256sum | cut -c1-16
}

# build_one <binary> <version> <wrapper dir> <main package> <ldflags>
build_one() {
  local name="$1" ver="$2" dir="$3" pkg="$4" ldflags="$5" hash out start took
  hash="$(inputs_hash "$dir" "$pkg" "$ldflags")"
  out="$cache/$name-$ver-$hash"
  if [[ -x "$out" ]]; then
    install -m 0755 "$out" "$bin/$name"
    printf '%-30s %-9s cached\n' "$name" "$ver"
    return 0
  fi
  start=$(date +%s)
  if (cd "$dir" && nice -n 10 go build -ldflags "$ldflags" -o "$out.tmp.$$" "$pkg"); then
    mv -f "$out.tmp.$$" "$out"
    install -m 0755 "$out" "$bin/$name"
    took=$(($(date +%s) - start))
    printf '%-30s %-9s built in %ss\n' "$name" "$ver" "$took"
  else
    rm -f "$out.tmp.$$"
    printf '%-30s %-9s FAILED (see output above)\n' "$name" "$ver"
    failures=$((failures + 1))
  fi
}

# A binary that cannot be built here: say so on one line (details in README.md).
unavailable() { # <binary> <version> <module@version>
  local name="$1" ver="$2" modver="$3" reason="module proxy refuses $3 (403 'This module version is not available')"
  if $probe; then
    if out="$(go list -m -json "$modver" 2>&1)"; then
      reason="module proxy now serves $modver: add a wrapper under tools/engine/$name (see README.md)"
    else
      reason="probe: $(printf '%s' "$out" | tr '\n' ' ' | sed 's/  */ /g' | cut -c1-160)"
    fi
  fi
  rm -f "$bin/$name"
  printf '%-30s %-9s UNAVAILABLE: %s\n' "$name" "$ver" "$reason"
}

# --- the binaries -------------------------------------------------------------
echo "engine: building into $bin (cache $cache, $go_version)"

require_version "$here/pulumi" github.com/pulumi/pulumi/pkg/v3 "$v_pulumi"
require_version "$here/pulumi" github.com/pulumi/pulumi/sdk/v3 "$v_pulumi"
build_one pulumi "$v_pulumi" "$here/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
  "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$v_pulumi"

require_version "$here/pulumi-language-nodejs" github.com/pulumi/pulumi/sdk/v3 "$v_langhost"
build_one pulumi-language-nodejs "$v_langhost" "$here/pulumi-language-nodejs" \
  github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
  "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$v_langhost"

unavailable pulumi-resource-tls "$v_tls" "github.com/pulumi/pulumi-tls/provider/v5@v$v_tls"
unavailable pulumi-resource-random "$v_random" "github.com/pulumi/pulumi-random/provider/v4@v$v_random"
unavailable pulumi-resource-kubernetes "$v_kubernetes" "github.com/pulumi/pulumi-kubernetes/provider/v4@v$v_kubernetes"
unavailable pulumi-resource-docker "$v_docker" "github.com/pulumi/pulumi-docker/provider/v5@v$v_docker"

# Dynamic providers: the plugin is a script shipped in the @pulumi/pulumi npm package.
dyn="$repo/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
if [[ -x "$dyn" ]]; then
  ln -sfn "../node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs" "$bin/pulumi-resource-pulumi-nodejs"
  printf '%-30s %-9s linked from node_modules/@pulumi/pulumi\n' pulumi-resource-pulumi-nodejs "$v_pulumi"
else
  printf '%-30s %-9s MISSING: run npm ci first (%s)\n' pulumi-resource-pulumi-nodejs "$v_pulumi" "$dyn"
  failures=$((failures + 1))
fi

echo "engine: total $(($(date +%s) - total_start))s, $failures failure(s)"
[[ $failures -eq 0 ]]
