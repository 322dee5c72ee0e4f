#!/usr/bin/env bash
# The first seconds of a fresh server, with and without the JDK's ahead-of-time cache: for each
# round and mode, a fresh wirehub, its start-up time (launch to /health answering), then 10 SSE
# subscribers and 2 publishers POSTing as fast as the answers come (perf/ColdStartBench.java),
# publishes/s second by second. Modes alternate within a round, so the machine's noise hits all.
# Modes: jit (no cache), aot (-XX:AOTCache, trained by perf/aot-train.sh when missing or stale),
# cds (a dynamic AppCDS archive, trained the same way).
# Knobs (environment): MODES="jit aot" ROUNDS=2 SECONDS_PER_RUN=10 SUBSCRIBERS=10 PUBLISHERS=2
# SERVER_JVM_FLAGS JAVA_OPTS_SERVER JAVA_OPTS_CLIENT PERF_LOGS
set -euo pipefail
PERF_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$PERF_DIR")
source "$PERF_DIR/lib.sh"

MODES=${MODES:-jit aot}
ROUNDS=${ROUNDS:-2}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
SUBSCRIBERS=${SUBSCRIBERS:-10}
PUBLISHERS=${PUBLISHERS:-2}

ensure_built
for mode in $MODES; do
    case "$mode" in
        jit) ;;
        aot) [ "$ROOT/target/wirehub.aot" -nt "$ROOT/target/wirehub.jar" ] || KIND=aot PERF_LOGS=$PERF_LOGS "$PERF_DIR/aot-train.sh" ;;
        cds) [ "$ROOT/target/wirehub.jsa" -nt "$ROOT/target/wirehub.jar" ] || KIND=cds PERF_LOGS=$PERF_LOGS "$PERF_DIR/aot-train.sh" ;;
        *) die "unknown mode $mode (jit, aot, cds)" ;;
    esac
done
machine_line
extra=$JAVA_OPTS_SERVER
status=0
for round in $(seq "$ROUNDS"); do
    for mode in $MODES; do
        case "$mode" in
            jit) JAVA_OPTS_SERVER="$extra" ;;
            aot) JAVA_OPTS_SERVER="$extra -XX:AOTCache=$ROOT/target/wirehub.aot" ;;
            cds) JAVA_OPTS_SERVER="$extra -XX:SharedArchiveFile=$ROOT/target/wirehub.jsa" ;;
        esac
        echo
        echo "=== cold start: round $round, $mode ==="
        load_line before
        launched=$(date +%s%N)
        start_server "coldstart-$mode-$round"
        echo "start-up: $(( ($(date +%s%N) - launched) / 1000000 )) ms from launch to /health answering"
        rc=0
        run_client ColdStartBench --port "$SERVER_PORT" --subscribers "$SUBSCRIBERS" --publishers "$PUBLISHERS" \
            --seconds "$SECONDS_PER_RUN" || rc=$?
        load_line after
        stop_server
        [ $rc -eq 0 ] || { echo "perf: ColdStartBench exited $rc ($mode, round $round; server log: $SERVER_LOG)" >&2; status=1; }
    done
done
exit $status
