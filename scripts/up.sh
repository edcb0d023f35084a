#!/usr/bin/env bash
# Sets up the machine and runs `pulumi up` of a stack (default: dev) on the local backend.
#
#   bash scripts/up.sh [stack] [extra pulumi up args]
#
# The dev stack runs the real Canton Enterprise and Postgres images through the Pulumi docker
# provider. Where the provider plugin cannot be built or no registry is reachable (as on the
# machines this project is built on), `pulumi up` stops there; see the README. The `render`
# stack needs no plugin: for it this script first makes a demo PKI directory with openssl and
# random database passwords as secret config, when the stack has none yet.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
stack="${1:-dev}"
shift || true

# A value of the stack file (e.g. canton-ha:pki.source), empty when unset.
setting() { node -e 'const y=require("js-yaml").load(require("fs").readFileSync(process.argv[1],"utf8")).config||{}; const v=process.argv[2].split(".").reduce((o,k)=>o==null?undefined:o[k], y); if (v!==undefined) console.log(v)' "Pulumi.$stack.yaml" "$1"; }
platform="$( [ -f "Pulumi.$stack.yaml" ] && setting 'canton-ha:platform' || true )"
# Only the docker platform needs a Docker engine.
engine_stage=dockerd
[ "${platform:-docker}" = docker ] || engine_stage=""

# An official Pulumi CLI on PATH (an ordinary machine) is used as it is, with its own plugin
# downloads; otherwise the engine is built from Go modules into bin/ (tools/engine/).
if [ -z "${CANTON_HA_SYSTEM_PULUMI:-}" ] && command -v pulumi >/dev/null 2>&1 && [ "$(command -v pulumi)" != "$repo/bin/pulumi" ]; then
    export CANTON_HA_SYSTEM_PULUMI=1
    echo "== using the Pulumi CLI on PATH: $(command -v pulumi)"
    bash scripts/setup.sh node $engine_stage
else
    bash scripts/setup.sh node engine $engine_stage
fi

pulumi() { bash scripts/pulumi.sh "$@"; }
pulumi stack select "$stack" 2>/dev/null || pulumi stack init "$stack"

# A stack that brings its own PKI and passwords (pki.source files, postgres.passwords config):
# make a demo of each where the stack has none. An operator puts their own there instead.
if [ -f "Pulumi.$stack.yaml" ] && [ "$(setting 'canton-ha:pki.source')" = files ]; then
    dir="$(setting 'canton-ha:pki.directory')"
    if [ ! -d "$dir" ]; then
        echo "== $stack: no PKI directory $dir yet; making a demo one with openssl (pki:make-files)"
        npm run --silent pki:make-files -- --stack "$stack" --out "$dir" --ca-dir ".state/$stack-ca"
    fi
fi
if [ -f "Pulumi.$stack.yaml" ] && [ "$(setting 'canton-ha:postgres.passwords')" = config ] && ! pulumi config get canton-ha:dbPasswords --stack "$stack" >/dev/null 2>&1; then
    echo "== $stack: no canton-ha:dbPasswords yet; setting random ones as secrets"
    node -e '
        const { parseConfig, buildPlan } = require("canton-ha");
        const doc = require("js-yaml").load(require("fs").readFileSync(process.argv[1], "utf8"));
        const raw = Object.fromEntries(Object.entries(doc.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
        for (const s of buildPlan(parseConfig(raw), process.argv[2]).databaseServers) for (const u of [...s.databases.map((d) => d.user), "postgres"]) console.log(`${s.id}.${u}`);
    ' "Pulumi.$stack.yaml" "$stack" | while read -r entry; do
        pulumi config set --secret --path "canton-ha:dbPasswords.$entry" "$(openssl rand -hex 24)" --stack "$stack"
    done
fi
echo "== pulumi up --stack $stack"
pulumi up --yes --stack "$stack" "$@"
