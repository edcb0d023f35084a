#!/usr/bin/env bash
# Brings a machine (fresh or not) to the state the project needs, one stage at a time,
# skipping what is already done. Used by scripts/test.sh, scripts/up.sh and .ci/run.
#
#   scripts/setup.sh [stage ...]     stages: apt node engine cluster dockerd policies (default: all)
#
# `cluster` builds the single-node Kubernetes (tools/cluster/build.sh: binaries from the Go
# module proxy, the cluster's images and the stack's; cached) and needs `node` first (the
# stand-in image bundles test/standin). When `engine` and `cluster` are both asked for, they
# run at the same time (two Go builds on the machine's cores; each prefixes its lines);
# CANTON_HA_SETUP_PARALLEL=0 runs them one after the other.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(apt node engine cluster dockerd policies)

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

# The cluster is root's (bridge, iptables, containerd, chroot for the images).
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }
cluster_build() { as_root bash tools/cluster/build.sh; }

# engine and cluster together: each in its own subshell, its lines prefixed, both awaited.
engine_and_cluster() {
    local t0=$SECONDS e=0 c=0
    echo "== setup: engine + cluster in parallel"
    ( set -o pipefail; stage engine bash tools/engine/ensure.sh 2>&1 | sed -u 's/^/[engine]  /' ) &
    local engine_pid=$!
    ( set -o pipefail; stage cluster cluster_build 2>&1 | sed -u 's/^/[cluster] /' ) &
    local cluster_pid=$!
    wait "$engine_pid" || e=$?
    wait "$cluster_pid" || c=$?
    echo "== setup: engine + cluster done in $((SECONDS - t0)) s (engine exit $e, cluster exit $c)"
    [ "$e" -eq 0 ] && [ "$c" -eq 0 ]
}

has() { local x; for x in "${stages[@]}"; do [ "$x" = "$1" ] && return 0; done; return 1; }
together=false
if has engine && has cluster && [ "${CANTON_HA_SETUP_PARALLEL:-1}" != 0 ]; then together=true; fi

for s in "${stages[@]}"; do
    case "$s" in
        apt) stage apt bash tools/ci/install-apt.sh ;;
        node) stage node node_modules ;;
        engine) if $together; then engine_and_cluster; else stage engine bash tools/engine/ensure.sh; fi ;;
        cluster) $together || stage cluster cluster_build ;;
        dockerd) stage dockerd bash tools/docker/start-dockerd.sh ;;
        policies) stage policies policy_modules ;;
        *) echo "scripts/setup.sh: unknown stage '$s' (apt node engine cluster dockerd policies)" >&2; exit 2 ;;
    esac
done
