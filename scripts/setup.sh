#!/usr/bin/env bash
# Brings a machine (fresh or not) to the state the project needs, one stage at a time,
# skipping what is already done. Used by scripts/test.sh, scripts/up.sh and .ci/run.
#
#   scripts/setup.sh [stage ...]     stages: apt node engine dockerd policies (default: all)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(apt node engine dockerd policies)

stage() {
    local name=$1; shift
    local t0=$SECONDS
    echo "== setup: $name"
    "$@"
    echo "== setup: $name done in $((SECONDS - t0)) s"
}

# npm ci only when the lockfile changed since the last install (npm writes its own copy).
node_modules() {
    if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
        echo "node_modules up to date"
    else
        npm ci --no-audit --no-fund --loglevel=error
    fi
    # The program imports the canton-ha library (components/) by name, from its compiled dist/.
    npm run --silent build:lib
}

# Each policy pack has its own node_modules (the engine runs a pack from its directory):
# policies/, and the engine tests' fixture pack.
policy_modules() {
    local dir
    for dir in policies test/engine/fixture-policy; do
        [ -f "$dir/package-lock.json" ] || { echo "$dir: no policy pack dependencies yet"; continue; }
        if [ -f "$dir/node_modules/.package-lock.json" ] && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
            echo "$dir/node_modules up to date"
        else
            (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
        fi
    done
}

for s in "${stages[@]}"; do
    case "$s" in
        apt) stage apt bash tools/ci/install-apt.sh ;;
        node) stage node node_modules ;;
        engine) stage engine bash tools/engine/ensure.sh ;;
        dockerd) stage dockerd bash tools/docker/start-dockerd.sh ;;
        policies) stage policies policy_modules ;;
        *) echo "scripts/setup.sh: unknown stage '$s' (apt node engine dockerd policies)" >&2; exit 2 ;;
    esac
done
