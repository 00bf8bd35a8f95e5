#!/usr/bin/env bash
# run.sh: `make bench`: run every benchmark of the build directory $1 and print figures.
# bench_qc runs a year of 1 Hz samples (31,536,000) by default, about 50 s on the 2-core
# development machine; set BENCH_QC_N to use fewer (the figure printed says what was used).
# Instruction counts (not run here: callgrind is ~50x slower), QC engine only, GOSUD chain:
#   valgrind --tool=callgrind --toggle-collect='run_stream*' --callgrind-out-file=cg.out \
#     build/bench/bench_qc 100000 gosud && callgrind_annotate cg.out
# ("qartod" instead of "gosud" for the one-test chains, "qartod qartod_flat_line" for one of
# them; divide Ir by the samples. The pattern: GCC may rename run_stream run_stream.constprop.0)
set -euo pipefail
build=${1:-build}
echo "== vigie benchmarks ($(nproc) cores; figures vary with machine load: compare ratios)"
"$build/bench/bench_engine" 200000 raw
"$build/bench/bench_engine" 200000 json
"$build/bench/bench_qc" "${BENCH_QC_N:-31536000}"
"$build/bench/bench_tide"
"$build/bench/bench_export"
"$build/bench/bench_reprocess" "${BENCH_REPROCESS_DAYS:-365}"
"$build/bench/bench_dmflags" "${BENCH_DMFLAGS_N:-2000000}"
"$build/bench/bench_alerts" 200000
"$(dirname "$0")/feed.sh" "$build" "${BENCH_FEED_N:-400000}" 10000 10
"$(dirname "$0")/memory.sh" "$build" 10000 20
