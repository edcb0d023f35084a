#!/usr/bin/env bash
# Offline wrapper around the Pulumi CLI built by tools/engine/build.sh.
#
#   scripts/pulumi.sh <pulumi args>        (or: npm run pulumi -- <pulumi args>)
#
# - puts the repo's bin/ first on PATH, so the locally built language host and
#   provider plugins are found there (no plugin download is ever attempted;
#   CANTON_HA_SYSTEM_PULUMI=1 uses an official CLI from PATH instead);
# - uses a local file backend inside the repo (.pulumi-state/, git-ignored)
#   unless PULUMI_BACKEND_URL is already set;
# - uses the passphrase secrets provider; the passphrase comes from
#   CANTON_HA_PASSPHRASE (dev default: "canton-ha-dev", with a warning);
# - keeps PULUMI_HOME inside the repo (.pulumi-home/, git-ignored) unless set,
#   so nothing under ~/.pulumi is touched (set PULUMI_HOME=~/.pulumi to use
#   plugins installed there by an official CLI).
#
# scripts/pulumi-policy.sh runs this with CANTON_HA_PULUMI_CLI=policy: the older
# CLI built for policy runs (bin/policy/pulumi, with bin/policy first on PATH
# for its pulumi-analyzer-policy script), same environment otherwise.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# On an ordinary machine with the official CLI installed, CANTON_HA_SYSTEM_PULUMI=1
# uses `pulumi` from PATH and lets it download plugins as usual.
if [[ "${CANTON_HA_SYSTEM_PULUMI:-}" == "1" ]]; then
  pulumi_bin="$(command -v pulumi)" || { echo "scripts/pulumi.sh: CANTON_HA_SYSTEM_PULUMI=1 but no pulumi on PATH" >&2; exit 127; }
else
  case "${CANTON_HA_PULUMI_CLI:-}" in
    "") pulumi_bin="$repo/bin/pulumi"; bin_path="$repo/bin" ;;
    policy) pulumi_bin="$repo/bin/policy/pulumi"; bin_path="$repo/bin/policy:$repo/bin" ;;
    *) echo "scripts/pulumi.sh: unknown CANTON_HA_PULUMI_CLI='$CANTON_HA_PULUMI_CLI' (empty or 'policy')" >&2; exit 2 ;;
  esac
  if [[ ! -x "$pulumi_bin" ]]; then
    echo "scripts/pulumi.sh: $pulumi_bin is missing: run tools/engine/build.sh first" >&2
    exit 127
  fi
  export PATH="$bin_path:$PATH"
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
fi

export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
export PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=true
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$repo/.pulumi-state}"
export PULUMI_HOME="${PULUMI_HOME:-$repo/.pulumi-home}"

if [[ -z "${PULUMI_CONFIG_PASSPHRASE:-}" && -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]]; then
  if [[ -n "${CANTON_HA_PASSPHRASE:-}" ]]; then
    export PULUMI_CONFIG_PASSPHRASE="$CANTON_HA_PASSPHRASE"
  else
    echo "scripts/pulumi.sh: warning: CANTON_HA_PASSPHRASE is not set; using the dev default passphrase (not for real stacks)" >&2
    export PULUMI_CONFIG_PASSPHRASE="canton-ha-dev"
  fi
fi

case "$PULUMI_BACKEND_URL" in
  file://*) mkdir -p "${PULUMI_BACKEND_URL#file://}" ;;
esac
mkdir -p "$PULUMI_HOME"

exec "$pulumi_bin" "$@"
