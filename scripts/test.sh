#!/usr/bin/env bash
# Sets up everything the tests need (apt servers, npm packages and the compiled library, the
# Pulumi engine and kubernetes provider built from Go modules, the single-node Kubernetes
# cluster and its images) and runs the whole suite: typecheck, lint, format check, unit tests
# under mocks (the example included), artifact tests against real nginx/haproxy/Postgres/openssl,
# engine tests (real CLI, kubernetes provider in render mode, policy-pack CLI), the tests on the
# real cluster (test/cluster, and the end to end), and the Docker end to end on a real dockerd
# (test/docker-e2e). It starts the cluster and then dockerd before vitest and stops them after
# (dockerd first), whatever the tests do. Tests find them through KUBECONFIG and
# CANTON_HA_CLUSTER=1, and CANTON_HA_DOCKER=1.
#
#   bash scripts/test.sh [vitest filters...]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
t_total=$SECONDS

# dockerd is started below, after the cluster, not as a setup stage: it is then stopped before
# the cluster's down.sh, which restores the sysctls up.sh changed only when no dockerd runs.
bash scripts/setup.sh apt node engine cluster policies

# The tls, random and docker provider plugins cannot be built where the module proxy refuses
# them (the kubernetes provider can); the engine tests that need them then cannot run. Say so, loudly.
missing_providers=()
for p in pulumi-resource-tls pulumi-resource-random; do [ -x "bin/$p" ] || missing_providers+=("$p"); done
if [ ${#missing_providers[@]} -eq 0 ]; then
    export CANTON_HA_PROVIDER_TESTS=1
else
    echo "!! tests: NOT RUN: test/engine-providers (tls/random under the real engine): ${missing_providers[*]} missing from bin/;"
    echo "!!        tools/engine/build.sh reports why (the module proxy refuses the provider modules). See tools/engine/README.md."
fi

stage() {
    local name=$1; shift
    local t0=$SECONDS
    echo "== tests: $name"
    "$@"
    echo "== tests: $name done in $((SECONDS - t0)) s"
}
stage "typecheck (tsc --noEmit)" bash -c 'npx tsc --noEmit -p . && cd policies && npx tsc --noEmit -p .'
stage "lint (eslint, no warnings)" npx eslint . --max-warnings 0
stage "format (prettier --check)" npx prettier --check --log-level warn .

# The cluster: started here unless it already runs (then it is left running), stopped on any
# exit once started. A start that fails (a kernel feature missing: up.sh exit 3, naming it)
# fails the run, loudly, but the suite still runs: the cluster tests then fail saying why.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }
cluster_status=0
cluster_started=false
docker_status=0
docker_started=false
stop_docker() {
    if $docker_started; then
        local t0=$SECONDS
        echo "== tests: dockerd down"
        as_root bash tools/docker/stop-dockerd.sh || echo "!! tests: tools/docker/stop-dockerd.sh failed"
        echo "== tests: dockerd down done in $((SECONDS - t0)) s"
        docker_started=false
    fi
}
stop_cluster() {
    stop_docker
    if $cluster_started; then
        local t0=$SECONDS
        echo "== tests: cluster down"
        as_root bash tools/cluster/down.sh >/tmp/canton-ha-cluster-down.log 2>&1 || { cat /tmp/canton-ha-cluster-down.log; echo "!! tests: tools/cluster/down.sh failed"; }
        tail -1 /tmp/canton-ha-cluster-down.log
        echo "== tests: cluster down done in $((SECONDS - t0)) s"
        cluster_started=false
    fi
}
trap stop_cluster EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
t0=$SECONDS
echo "== tests: cluster up"
if as_root bash tools/cluster/status.sh --quiet; then
    echo "cluster: already running (left running after the tests)"
else
    cluster_started=true
    as_root bash tools/cluster/up.sh || cluster_status=$?
fi
if [ "$cluster_status" -eq 0 ]; then
    export KUBECONFIG=/var/lib/canton-ha-cluster/pki/admin.kubeconfig
    export CANTON_HA_CLUSTER=1
    export CANTON_HA_KUBECTL="${CANTON_HA_CLUSTER_CACHE:-$HOME/.cache/canton-ha/cluster}/bin/kubectl"
    echo "== tests: cluster up done in $((SECONDS - t0)) s (KUBECONFIG=$KUBECONFIG)"
else
    [ "$cluster_status" -eq 3 ] && echo "!! tests: CLUSTER NOT STARTED: the kernel lacks a feature it needs (the KERNEL FEATURE MISSING line above names it)"
    echo "!! tests: CLUSTER NOT STARTED (tools/cluster/up.sh exit $cluster_status, after $((SECONDS - t0)) s): the cluster tests will fail; this run fails"
fi

# dockerd for test/docker-e2e: started here unless one already answers (then left running),
# stopped on any exit once started. dockerd sets the FORWARD policy to DROP; the cluster's own
# chain accepts pod<->pod traffic on its bridge whatever the policy (tools/cluster/up.sh).
t0=$SECONDS
echo "== tests: dockerd up"
if docker info >/dev/null 2>&1; then
    echo "dockerd: already running (left running after the tests)"
else
    docker_started=true
    as_root bash tools/docker/start-dockerd.sh || docker_status=$?
fi
if [ "$docker_status" -eq 0 ]; then
    export CANTON_HA_DOCKER=1
    echo "== tests: dockerd up done in $((SECONDS - t0)) s"
else
    echo "!! tests: DOCKERD NOT STARTED (tools/docker/start-dockerd.sh exit $docker_status): test/docker-e2e will fail; this run fails"
fi

echo "== tests: vitest"
report="$(mktemp -d)/vitest.json"
t0=$SECONDS
status=0
CI=true npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
echo "== tests: vitest finished in $((SECONDS - t0)) s (exit $status)"
[ "$cluster_status" -eq 0 ] || status=1
[ "$docker_status" -eq 0 ] || status=1

if [ -f "$report" ]; then
    # The plain closing line CI reads: "N passed, N failed, N skipped".
    node -e '
        const r = require(process.argv[1]);
        console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
        if (r.numTotalTests === 0) { console.error("no test ran"); process.exit(1); }
    ' "$report" || status=1
else
    echo "tests: vitest wrote no report" >&2
    status=1
fi
stop_cluster
echo "== tests: total $((SECONDS - t_total)) s (exit $status)"
exit $status
