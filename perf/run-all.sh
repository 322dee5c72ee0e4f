#!/usr/bin/env bash
# Both benchmarks at small sizes (about a minute and a half on 2 cores); `make bench` runs this.
# Larger runs: call perf/fanout.sh and perf/idle.sh with their knobs (perf/README.md).
set -euo pipefail
PERF_DIR=$(cd "$(dirname "$0")" && pwd)
status=0
SUBSCRIBERS=${SUBSCRIBERS:-500} RATES=${RATES:-100 200} DURATION=${DURATION:-5} "$PERF_DIR/fanout.sh" || status=1
CONNECTIONS=${CONNECTIONS:-2000} "$PERF_DIR/idle.sh" || status=1
[ $status -eq 0 ] || echo "perf: some benchmark failed or was not exact (see above)" >&2
exit $status
