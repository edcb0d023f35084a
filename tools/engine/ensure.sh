#!/usr/bin/env bash
# CI hook: make sure bin/ holds the engine (tools/engine/build.sh, cached per
# machine): the CLI, the Node.js language host, the kubernetes provider, the
# policy CLI and its analyzer script. build.sh prints one line per binary (its
# build time, or "cached"); then this prints the whole run's time and how long
# a warm re-run takes.
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
echo "engine: cold build times measured on this 2-core machine: see tools/engine/README.md"
