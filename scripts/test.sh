#!/usr/bin/env bash
# Sets up everything the tests need (apt servers, npm packages, the Pulumi engine built
# from Go modules, a local dockerd) and runs the whole vitest suite: unit tests under
# mocks, artifact tests against real nginx/haproxy/Postgres/openssl, engine tests.
#
#   bash scripts/test.sh [vitest filters...]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

bash scripts/setup.sh

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
