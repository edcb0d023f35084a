#!/usr/bin/env bash
# `pulumi preview` with a Node.js policy pack, offline, with the engine built by
# tools/engine/build.sh.
#
#   scripts/pulumi-policy.sh [<pack dir>] [more pulumi preview args]
#
# <pack dir> defaults to the repo's policies/ (it must hold PulumiPolicy.yaml and
# its own node_modules: scripts/setup.sh policies). The preview fails when a
# mandatory policy is violated.
#
# Why a second CLI: the main CLI (bin/pulumi, 3.248) starts a Node.js pack through
# the language host's RunPlugin, which the 3.68 language host built here answers
# with "not supported". The policy CLI (bin/policy/pulumi, 3.170) starts it the
# legacy way, through bin/policy/pulumi-analyzer-policy. Backend, PULUMI_HOME and
# passphrase are handled exactly as by scripts/pulumi.sh, which this runs.
# With CANTON_HA_SYSTEM_PULUMI=1 the official CLI from PATH is used instead.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

pack="$repo/policies"
if [[ $# -gt 0 && "$1" != -* ]]; then
  pack="$1"
  shift
fi
pack="$(cd "$pack" 2>/dev/null && pwd)" || { echo "scripts/pulumi-policy.sh: no such policy pack directory: $pack" >&2; exit 2; }
if [[ ! -f "$pack/PulumiPolicy.yaml" ]]; then
  echo "scripts/pulumi-policy.sh: $pack has no PulumiPolicy.yaml" >&2
  exit 2
fi
if [[ ! -f "$pack/node_modules/@pulumi/pulumi/cmd/run-policy-pack/index.js" ]]; then
  echo "scripts/pulumi-policy.sh: $pack/node_modules lacks @pulumi/pulumi: run 'npm ci' there (scripts/setup.sh policies)" >&2
  exit 2
fi

if [[ "${CANTON_HA_SYSTEM_PULUMI:-}" != "1" ]]; then
  analyzer="$repo/bin/policy/pulumi-analyzer-policy"
  if [[ ! -x "$analyzer" ]]; then
    echo "scripts/pulumi-policy.sh: $analyzer is missing: run tools/engine/build.sh first" >&2
    exit 127
  fi
  export CANTON_HA_PULUMI_CLI=policy
fi

exec bash "$repo/scripts/pulumi.sh" preview --policy-pack "$pack" "$@"
