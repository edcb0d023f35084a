#!/usr/bin/env bash
# CI hook: make sure bin/ holds the engine (tools/engine/build.sh, cached per
# machine), then print how long this run took and how long a warm run takes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

start=$(date +%s)
"$here/build.sh"
first=$(($(date +%s) - start))

start=$(date +%s)
"$here/build.sh" >/dev/null
warm=$(($(date +%s) - start))

if [[ $first -gt $((warm + 10)) ]]; then kind="something was built"; else kind="all from the engine cache"; fi
echo "engine: this run ${first}s (${kind}); warm re-run ${warm}s"
echo "engine: cold build measured on this 2-core machine: see tools/engine/README.md"
