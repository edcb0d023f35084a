#!/usr/bin/env bash
# Sets up everything the tests need (apt servers, npm packages, the Pulumi engine built
# from Go modules) and runs the whole suite: typecheck, unit tests under mocks, artifact
# tests against real nginx/haproxy/Postgres/openssl, engine tests.
#
#   bash scripts/test.sh [vitest filters...]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

# No test drives Docker yet (the provider plugin cannot be built here; the Docker end-to-end
# work will add such tests and the `dockerd` stage with them), so CI does not start one.
bash scripts/setup.sh apt node engine policies

# Provider plugins (tls, random, docker, kubernetes) cannot be built where the module proxy
# refuses them; the engine tests that need them then cannot run. Say so, loudly.
missing_providers=()
for p in pulumi-resource-tls pulumi-resource-random; do [ -x "bin/$p" ] || missing_providers+=("$p"); done
if [ ${#missing_providers[@]} -eq 0 ]; then
    export CANTON_HA_PROVIDER_TESTS=1
else
    echo "!! tests: NOT RUN: test/engine-providers (tls/random under the real engine): ${missing_providers[*]} missing from bin/;"
    echo "!!        tools/engine/build.sh reports why (the module proxy refuses the provider modules). See tools/engine/README.md."
fi

echo "== tests: typecheck (tsc --noEmit)"
npx tsc --noEmit -p .
(cd policies && npx tsc --noEmit -p .)

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
