#!/usr/bin/env bash
# Sets up the machine and runs `pulumi up` of a stack (default: dev) on the local backend.
#
#   bash scripts/up.sh [stack] [extra pulumi up args]
#
# The dev stack runs the real Canton Enterprise and Postgres images. Where no registry is
# reachable (as on the machines this project is built on) the image pull fails; the
# `standin` stack runs the same code with locally built stand-in images instead.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
stack="${1:-dev}"
shift || true

bash scripts/setup.sh node engine dockerd
[ "$stack" != "standin" ] || bash scripts/setup.sh images

pulumi() { bash scripts/pulumi.sh "$@"; }
pulumi stack select "$stack" 2>/dev/null || pulumi stack init "$stack"
echo "== pulumi up --stack $stack"
pulumi up --yes --stack "$stack" "$@"
