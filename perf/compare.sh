#!/usr/bin/env bash
# wirehub side by side with nchan (experiment 3 in perf/results/README.md): the same LoadGen against a
# fresh wirehub and a fresh nchan (perf/nchan.conf, one nginx worker) per case: saturation at each
# tier, then fixed-rate latency cases; prints the wirehub / nchan table (compare.md in RESULTS_DIR).
# About 10-15 minutes at the defaults on 2 cores. Every knob of perf/fanout.sh applies; defaults:
#   TIERS="10 100 1000 10000" RATES=0 CASES="100x1000 10x10000" WINDOW=5
# Rerun with another build: WIREHUB_JAR=/path/to/wirehub.jar perf/compare.sh
set -euo pipefail
PERF_DIR=$(cd "$(dirname "$0")" && pwd)
export SERVERS=${SERVERS:-wirehub nchan}
export TIERS=${TIERS:-10 100 1000 10000}
export RATES=${RATES:-0}
export CASES=${CASES:-100x1000 10x10000}
export RESULTS_DIR=${RESULTS_DIR:-$PERF_DIR/results/$(date -u +%Y%m%d-%H%M)-compare}
exec "$PERF_DIR/fanout.sh"
