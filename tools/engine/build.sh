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
# built at the @pulumi/pulumi version, the kubernetes provider at the
# @pulumi/kubernetes version. Also built: a second, older CLI for policy runs
# only (bin/policy/pulumi, with the pulumi-analyzer-policy script next to it).
# Finished binaries are kept in
#   ${CANTON_HA_ENGINE_CACHE:-$HOME/.cache/canton-ha/engine}/<binary>-<version>-<hash>
# where <hash> covers the build inputs (wrapper go.mod/go.sum/*.go/*.json, Go version,
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
    -h | --help) sed -n '2,19p' "${BASH_SOURCE[0]}"; exit 0 ;;
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

# The kubernetes provider: the module proxy refuses its tags but serves release
# commits as pseudo-versions. Map each @pulumi/kubernetes pin to its commit.
k8s_module="github.com/pulumi/pulumi-kubernetes/provider/v4"
case "$v_kubernetes" in
  4.25.0) k8s_modver="v4.0.0-20260115033456-f47bc2d6f199" ;; # the v4.25.0 release commit
  *)
    echo "build.sh: no known $k8s_module pseudo-version for @pulumi/kubernetes $v_kubernetes;" \
      "add the release commit's pseudo-version to build.sh (see tools/engine/README.md)" >&2
    exit 1
    ;;
esac

# The CLI for policy runs (bin/policy/pulumi). The main CLI (3.248) starts a
# Node.js policy pack through the language host's RunPlugin, which the 3.68.0
# host lacks ("not supported"); CLI 3.170.x is the last that starts Node.js
# packs through the `pulumi-analyzer-policy` script (see README.md).
v_policy_cli="3.170.0"

# --- helpers ------------------------------------------------------------------
total_start=$(date +%s)
mkdir -p "$bin" "$cache"
go_version="$(go env GOVERSION)"
failures=0

require_version() { # <wrapper dir> <module> <version without "v">
  require_module "$1" "$2" "v$3"
}

require_module() { # <wrapper dir> <module> <exact module version>
  local dir="$1" mod="$2" want="$3" have
  have="$(cd "$dir" && go list -m -f '{{.Version}}' "$mod" 2>/dev/null || true)"
  if [[ "$have" == "$want" ]]; then return 0; fi
  if $update; then
    echo "  updating $(basename "$dir")/go.mod: $mod $have -> $want"
    (cd "$dir" && go mod edit -require="$mod@$want" && GOFLAGS=-mod=mod go mod tidy)
  else
    echo "build.sh: $dir/go.mod requires $mod ${have:-?} but build.sh/package.json want $want;" \
      "run 'tools/engine/build.sh --update' and commit the wrapper go.mod/go.sum" >&2
    exit 1
  fi
}

# The directory of a module (as required by a wrapper's go.mod) in the module
# cache, downloading it if needed.
module_dir() { # <wrapper dir> <module>
  (cd "$1" && go mod download -json "$2") | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const m = JSON.parse(s);
      if (m.Error || !m.Dir) { console.error("go mod download " + m.Path + ": " + (m.Error || "no Dir")); process.exit(1); }
      console.log(m.Dir);
    });'
}

inputs_hash() { # <wrapper dir> <extra...>
  local dir="$1"; shift
  {
    printf '%s\n' "$go_version" "$GOFLAGS" "$@"
    (cd "$dir" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' -o -name '*.json' \) -print0 |
      sort -z | xargs -0 sha256sum)
  } | sha256sum | cut -c1-16
}

# One line per binary, repeated at the end (go's download output can interleave).
summary=()
report() { # <binary> <version> <text...>
  local line
  line="$(printf '%-30s %-9s %s' "$1" "$2" "${*:3}")"
  printf '%s\n' "$line"
  summary+=("$line")
}

# build_one <binary path under bin/> <version> <wrapper dir> <main package> <ldflags>
build_one() {
  local name="$1" ver="$2" dir="$3" pkg="$4" ldflags="$5" hash out start took
  hash="$(inputs_hash "$dir" "$pkg" "$ldflags")"
  out="$cache/${name//\//-}-$ver-$hash"
  mkdir -p "$(dirname "$bin/$name")"
  if [[ -x "$out" ]]; then
    install -m 0755 "$out" "$bin/$name"
    report "$name" "$ver" "cached"
    return 0
  fi
  start=$(date +%s)
  if (cd "$dir" && nice -n 10 go build -ldflags "$ldflags" -o "$out.tmp.$$" "$pkg"); then
    mv -f "$out.tmp.$$" "$out"
    install -m 0755 "$out" "$bin/$name"
    took=$(($(date +%s) - start))
    report "$name" "$ver" "built in ${took}s"
  else
    rm -f "$out.tmp.$$" "$bin/$name"
    report "$name" "$ver" "FAILED (see output above)"
    failures=$((failures + 1))
  fi
}

# The kubernetes provider's main package embeds generated/schema.json and
# generated/terraform-mapping.json (git-ignored): what the module's own
# `go generate` (cmd/pulumi-resource-kubernetes/generate.go) writes, i.e. its
# schema.json with "version" set and both files minified, from the module cache.
k8s_generate() { # <wrapper dir> <version>
  local dir="$1" ver="$2" src stamp
  src="$(module_dir "$dir" "$k8s_module")/cmd/pulumi-resource-kubernetes"
  stamp="$src $ver"
  if [[ -f "$dir/generated/schema.json" && -f "$dir/generated/terraform-mapping.json" &&
    "$(cat "$dir/generated/.source" 2>/dev/null)" == "$stamp" ]]; then
    return 0
  fi
  mkdir -p "$dir/generated"
  node -e '
    const fs = require("fs");
    const [src, out, version] = process.argv.slice(1);
    const schema = JSON.parse(fs.readFileSync(src + "/schema.json", "utf8"));
    schema.version = version;
    fs.writeFileSync(out + "/schema.json", JSON.stringify(schema));
    const mapping = JSON.parse(fs.readFileSync(src + "/terraform-mapping.json", "utf8"));
    fs.writeFileSync(out + "/terraform-mapping.json", JSON.stringify(mapping));' "$src" "$dir/generated" "$ver"
  printf '%s\n' "$stamp" >"$dir/generated/.source"
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
  report "$name" "$ver" "UNAVAILABLE: $reason"
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

# kubernetes provider: a tiny main of our own (the module's cmd/ embeds generated files).
require_module "$here/pulumi-resource-kubernetes" "$k8s_module" "$k8s_modver"
k8s_generate "$here/pulumi-resource-kubernetes" "$v_kubernetes"
build_one pulumi-resource-kubernetes "$v_kubernetes" "$here/pulumi-resource-kubernetes" . \
  "-s -w -X $k8s_module/pkg/version.Version=$v_kubernetes"
unavailable pulumi-resource-docker "$v_docker" "github.com/pulumi/pulumi-docker/provider/v5@v$v_docker"

# The CLI for policy runs, and the analyzer script it starts Node.js packs with
# (shipped in the sdk/v3 module at the language host's version; scripts/pulumi-policy.sh).
require_version "$here/pulumi-policy" github.com/pulumi/pulumi/pkg/v3 "$v_policy_cli"
require_version "$here/pulumi-policy" github.com/pulumi/pulumi/sdk/v3 "$v_policy_cli"
build_one policy/pulumi "$v_policy_cli" "$here/pulumi-policy" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
  "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$v_policy_cli"
analyzer="$(module_dir "$here/pulumi-language-nodejs" github.com/pulumi/pulumi/sdk/v3)/nodejs/dist/pulumi-analyzer-policy"
if [[ -f "$analyzer" ]]; then
  mkdir -p "$bin/policy"
  install -m 0755 "$analyzer" "$bin/policy/pulumi-analyzer-policy"
  report policy/pulumi-analyzer-policy "$v_langhost" "copied from the sdk/v3 module cache"
else
  rm -f "$bin/policy/pulumi-analyzer-policy"
  report policy/pulumi-analyzer-policy "$v_langhost" "MISSING: $analyzer"
  failures=$((failures + 1))
fi

# Dynamic providers: the plugin is a script shipped in the @pulumi/pulumi npm package.
dyn="$repo/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
if [[ -x "$dyn" ]]; then
  ln -sfn "../node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs" "$bin/pulumi-resource-pulumi-nodejs"
  report pulumi-resource-pulumi-nodejs "$v_pulumi" "linked from node_modules/@pulumi/pulumi"
else
  report pulumi-resource-pulumi-nodejs "$v_pulumi" "MISSING: run npm ci first ($dyn)"
  failures=$((failures + 1))
fi

echo "engine: per binary:"
printf '  %s\n' "${summary[@]}"
echo "engine: total $(($(date +%s) - total_start))s, $failures failure(s)"
[[ $failures -eq 0 ]]
