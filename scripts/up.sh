#!/usr/bin/env bash
# Sets up the machine and runs `pulumi up` of a stack (default: dev) on the local backend.
#
#   bash scripts/up.sh [stack] [extra pulumi up args]
#
# The dev stack runs the real Canton Enterprise and Postgres images through the Pulumi docker
# provider. Where the provider plugin cannot be built or no registry is reachable (as on the
# machines this project is built on), `pulumi up` stops there; see the README.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
stack="${1:-dev}"
shift || true

# An official Pulumi CLI on PATH (an ordinary machine) is used as it is, with its own plugin
# downloads; otherwise the engine is built from Go modules into bin/ (tools/engine/).
if [ -z "${CANTON_HA_SYSTEM_PULUMI:-}" ] && command -v pulumi >/dev/null 2>&1 && [ "$(command -v pulumi)" != "$repo/bin/pulumi" ]; then
    export CANTON_HA_SYSTEM_PULUMI=1
    echo "== using the Pulumi CLI on PATH: $(command -v pulumi)"
    bash scripts/setup.sh node dockerd
else
    bash scripts/setup.sh node engine dockerd
fi

pulumi() { bash scripts/pulumi.sh "$@"; }
pulumi stack select "$stack" 2>/dev/null || pulumi stack init "$stack"
echo "== pulumi up --stack $stack"
pulumi up --yes --stack "$stack" "$@"
