#!/usr/bin/env bash
# The benchmarks at small sizes (about two minutes on 2 cores); `make bench` runs this.
# Larger runs: perf/fanout.sh, perf/compare.sh and perf/idle.sh with their knobs (perf/README.md).
set -euo pipefail
PERF_DIR=$(cd "$(dirname "$0")" && pwd)
status=0
SERVERS=${SERVERS:-wirehub} TIERS=${TIERS:-500} RATES=${RATES:-0 100} WINDOW=${WINDOW:-5} "$PERF_DIR/fanout.sh" || status=1
CONNECTIONS=${CONNECTIONS:-2000} "$PERF_DIR/idle.sh" || status=1
[ $status -eq 0 ] || echo "perf: some benchmark failed or was not exact (see above)" >&2
exit $status
