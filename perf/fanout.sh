#!/usr/bin/env bash
# Fan-out benchmark: for each subscriber count S and publish rate R, a fresh wirehub on a free
# loopback port, S SSE subscribers on one topic, R events/s for T seconds (perf/FanoutBench.java).
# Knobs (environment): SUBSCRIBERS="1000 5000" RATES="200 1000" DURATION=10 WARMUP_SECONDS=2 DATA_BYTES=150
# DRAIN_SECONDS=30 MAX_IN_FLIGHT=64 SERVER_ENV="WH_SSE_CHANNEL_BUFFER=64 ..." JAVA_OPTS_SERVER JAVA_OPTS_CLIENT PERF_LOGS
set -euo pipefail
PERF_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$PERF_DIR")
source "$PERF_DIR/lib.sh"

SUBSCRIBERS=${SUBSCRIBERS:-1000 5000}
RATES=${RATES:-200 1000}
DURATION=${DURATION:-10}
WARMUP_SECONDS=${WARMUP_SECONDS:-2}
DATA_BYTES=${DATA_BYTES:-150}
DRAIN_SECONDS=${DRAIN_SECONDS:-30}
MAX_IN_FLIGHT=${MAX_IN_FLIGHT:-64}
SERVER_ENV=${SERVER_ENV:-}

ensure_built
machine_line
status=0
for s in $SUBSCRIBERS; do
    [ "$s" -le 9000 ] || die "SUBSCRIBERS=$s: client and server each hold one fd per stream; keep it under the ulimit -n ($(ulimit -n))"
    for r in $RATES; do
        echo
        echo "=== fanout: $s subscribers, $r events/s, ${DURATION}s ==="
        # max_connections leaves room for the publisher's connections (one per POST in flight) and /v1/stats:
        # at the cap Helidon stops accepting, and a connection over it hangs unanswered.
        # shellcheck disable=SC2086
        start_server "fanout-$s-$r" WH_MAX_CONNECTIONS=$((s + MAX_IN_FLIGHT + 50)) $SERVER_ENV
        load_line before
        rc=0
        run_client FanoutBench --port "$SERVER_PORT" --pid "$SERVER_PID" --subscribers "$s" --rate "$r" \
            --seconds "$DURATION" --warmup-seconds "$WARMUP_SECONDS" --data-bytes "$DATA_BYTES" --drain-seconds "$DRAIN_SECONDS" --max-in-flight "$MAX_IN_FLIGHT" \
            --clk-tck "$(getconf CLK_TCK)" || rc=$?
        load_line after
        stop_server
        if [ $rc -ne 0 ]; then
            echo "perf: FanoutBench exited $rc for S=$s R=$r (server log: $SERVER_LOG)" >&2
            status=1
        fi
    done
done
exit $status
