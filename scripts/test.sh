#!/usr/bin/env bash
# Sets up everything the tests need (apt servers, npm packages and the compiled library, the
# Pulumi engine and kubernetes provider built from Go modules) and runs the whole suite:
# typecheck, lint, format check, unit tests under mocks (the example included), artifact tests
# against real nginx/haproxy/Postgres/openssl, engine tests (real CLI, kubernetes provider in
# render mode, policy-pack CLI).
#
#   bash scripts/test.sh [vitest filters...]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

# No test drives Docker yet (the provider plugin cannot be built here; the Docker end-to-end
# work will add such tests and the `dockerd` stage with them), so CI does not start one.
bash scripts/setup.sh apt node engine policies

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

echo "== tests: vitest"
report="$(mktemp -d)/vitest.json"
t0=$SECONDS
status=0
CI=true npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
echo "== tests: vitest finished in $((SECONDS - t0)) s (exit $status)"

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
exit $status
