#!/usr/bin/env bash
# HTTP/2 beside HTTP/1.1: one topic fanned out to N SSE streams read by the JDK's HttpClient, once
# over HTTP/1.1 (a connection per stream) and once over h2c (shared connections), each against a
# fresh wirehub (perf/Http2FanoutBench.java): deliveries/s, latency p50/p99, peak RSS. The memory of
# an idle stream over HTTP/2 is perf/idle.sh's (TRANSPORTS=sse-h2).
# Knobs (environment): STREAMS="1000" SECONDS_EACH=10 BATCH=20 PROTOCOLS="h1 h2" SERVER_ENV="WH_...=..."
set -euo pipefail
PERF_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$PERF_DIR")
source "$PERF_DIR/lib.sh"

STREAMS=${STREAMS:-1000}
SECONDS_EACH=${SECONDS_EACH:-10}
BATCH=${BATCH:-20}
PROTOCOLS=${PROTOCOLS:-h1 h2}
SERVER_ENV=${SERVER_ENV:-}

ensure_built
machine_line
compile_client Http2FanoutBench
status=0
for n in $STREAMS; do
    for protocol in $PROTOCOLS; do
        echo
        echo "=== $n SSE streams over $protocol ==="
        # shellcheck disable=SC2086
        # the JDK client reaches HTTP/2 on cleartext by Upgrade: h2c, off by default (server.h2c_upgrade)
        start_server "http2-$protocol-$n" WH_MAX_CONNECTIONS=$((n + 100)) WH_SERVER_H2C_UPGRADE=true $SERVER_ENV
        load_line before
        run_client Http2FanoutBench --port "$SERVER_PORT" --pid "$SERVER_PID" --protocol "$protocol" --streams "$n" \
            --seconds "$SECONDS_EACH" --batch "$BATCH" || status=1
        load_line after
        stop_server
    done
done
exit $status
