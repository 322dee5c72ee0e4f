#!/usr/bin/env bash
# Idle-connection memory: for each transport and count N, a fresh wirehub on a free loopback port,
# N idle streams (perf/IdleBench.java), the server's heap (after a full GC) and RSS before and
# after, in KB per stream. Client and server each hold one fd per stream: N stays under ulimit -n.
# Knobs (environment): CONNECTIONS="2000 10000" TRANSPORTS="sse ws" (or sse-h2: SSE streams sharing HTTP/2 connections) WARMUP=200 CONNECTING=200
# BREAKDOWN=false (true: heap by class and, with JAVA_OPTS_SERVER=-XX:NativeMemoryTracking=summary,
# native memory by category, per stream) IDLE_HEARTBEAT=5s (SSE closes are only seen on a write: this bounds the close check)
# SERVER_ENV="WH_...=..." JAVA_OPTS_SERVER JAVA_OPTS_CLIENT PERF_LOGS
set -euo pipefail
PERF_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$PERF_DIR")
source "$PERF_DIR/lib.sh"

CONNECTIONS=${CONNECTIONS:-2000 10000}
TRANSPORTS=${TRANSPORTS:-sse ws}
WARMUP=${WARMUP:-200}
CONNECTING=${CONNECTING:-200} # streams connecting at once; fewer on a very busy machine (see perf/README.md)
BREAKDOWN=${BREAKDOWN:-false}
IDLE_HEARTBEAT=${IDLE_HEARTBEAT:-5s}
SERVER_ENV=${SERVER_ENV:-}

ensure_built
machine_line
limit=$(ulimit -n)
status=0
for t in $TRANSPORTS; do
    for n in $CONNECTIONS; do
        [ $((n + 300)) -le "$limit" ] || die "CONNECTIONS=$n does not fit under ulimit -n $limit (each process holds one fd per stream, plus its own)"
        echo
        echo "=== idle: $n $t connections ==="
        # shellcheck disable=SC2086
        # sse-h2: the JDK client reaches HTTP/2 on cleartext by Upgrade: h2c, off by default
        start_server "idle-$t-$n" WH_MAX_CONNECTIONS=$((n + WARMUP + 100)) WH_HEARTBEAT_INTERVAL="$IDLE_HEARTBEAT" WH_SERVER_H2C_UPGRADE=true $SERVER_ENV
        load_line before
        rc=0
        run_client IdleBench --port "$SERVER_PORT" --pid "$SERVER_PID" --transport "$t" --connections "$n" \
            --warmup "$WARMUP" --connecting "$CONNECTING" --breakdown "$BREAKDOWN" || rc=$?
        load_line after
        stop_server
        if [ $rc -ne 0 ]; then
            echo "perf: IdleBench exited $rc for $t N=$n (server log: $SERVER_LOG)" >&2
            status=1
        fi
    done
done
exit $status
