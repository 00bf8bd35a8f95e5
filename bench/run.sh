#!/usr/bin/env bash
# run.sh: `make bench`: run every benchmark of the build directory $1 and print figures.
set -euo pipefail
build=${1:-build}
echo "== vigie benchmarks ($(nproc) cores; figures vary with machine load: compare ratios)"
"$build/bench/bench_engine" 200000 raw
"$build/bench/bench_engine" 200000 json
