#!/usr/bin/env bash
# Fan-out capacity (experiment 2 in perf/results/README.md): one topic, N SSE or WebSocket subscribers,
# a publisher at saturation (rate 0: as fast as the answers come) or at a fixed rate; a fresh server
# per case, perf/LoadGen.java as the client. SERVERS="wirehub nchan" runs the same cases against
# nchan too (perf/compare.sh does that with the comparison's defaults).
#
# Knobs (environment):
#   SERVERS="wirehub"              wirehub and/or nchan
#   TRANSPORTS="sse ws"
#   TIERS="10 100 1000 5000 10000 19000"   subscribers; 19,000 is about the most the 20,000
#                                  open files per process allow (client and server each hold one
#                                  fd per stream, plus their own)
#   RATES="0 100"                  events/s at every tier; 0 = saturation
#   CASES=""                       extra RATExSUBSCRIBERS cases, e.g. "100x1000 10x10000"
#   WINDOW=5 WARMUP=2 WARMUP_LONG=8 COLD=2 DRAIN=60 CONNECT_TIMEOUT=180   seconds (warm-up rule: see warmup_for)
#   PAYLOAD=150 PUB_CONNS=2 TOPICS=1
#   RESULTS_DIR=perf/results/<date>-fanout   where results.jsonl, runs.md and the plots go
#   WIREHUB_JAR, SERVER_ENV="WH_...=..", JAVA_OPTS_SERVER, JAVA_OPTS_CLIENT
#   AOT=0                          1: train the JDK's ahead-of-time cache for the jar first
#                                  (perf/aot-train.sh, into RESULTS_DIR) and start every wirehub
#                                  with it, as `make aot` + `make run` do (needs JDK 25)
set -euo pipefail
PERF_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$PERF_DIR")
source "$PERF_DIR/lib.sh"

SERVERS=${SERVERS:-wirehub}
TRANSPORTS=${TRANSPORTS:-sse ws}
TIERS=${TIERS:-10 100 1000 5000 10000 19000}
RATES=${RATES:-0 100}
CASES=${CASES:-}
WINDOW=${WINDOW:-5}
WARMUP=${WARMUP:-2}
WARMUP_LONG=${WARMUP_LONG:-8}
COLD=${COLD:-2}
DRAIN=${DRAIN:-60}
CONNECT_TIMEOUT=${CONNECT_TIMEOUT:-180}
PAYLOAD=${PAYLOAD:-150}
PUB_CONNS=${PUB_CONNS:-2}
TOPICS=${TOPICS:-1}
SERVER_ENV=${SERVER_ENV:-}
AOT=${AOT:-0}
RESULTS_DIR=${RESULTS_DIR:-$PERF_DIR/results/$(date -u +%Y%m%d-%H%M)-fanout}

# 8 s of warm-up where 2 s left wirehub's JIT visibly cold (the issue's method): saturation at the
# smallest tier, fixed-rate cases at 10,000+ subscribers and WebSocket fixed-rate cases at 1,000+.
# More warm-up only helps wirehub; nchan (C) has none to do.
warmup_for() {
    local transport=$1 subs=$2 rate=$3 smallest=$4
    if { [ "$rate" = 0 ] && [ "$subs" = "$smallest" ]; } || { [ "$rate" != 0 ] && [ "$subs" -ge 10000 ]; } \
        || { [ "$rate" != 0 ] && [ "$transport" = ws ] && [ "$subs" -ge 1000 ]; }; then
        echo "$WARMUP_LONG"
    else
        echo "$WARMUP"
    fi
}

# run_case SERVER TRANSPORT SUBSCRIBERS RATE: a fresh server, one LoadGen run, the server stopped.
run_case() {
    local server=$1 transport=$2 subs=$3 rate=$4 warm=$5
    local name="$server-$transport-$subs-$rate"
    [ $((subs + 300)) -le "$(ulimit -n)" ] || die "$subs subscribers do not fit under ulimit -n $(ulimit -n): each process holds one fd per stream plus its own"
    echo
    echo "=== $server $transport: $subs subscribers, $([ "$rate" = 0 ] && echo saturation || echo "$rate events/s"), warm-up ${warm}s, window ${WINDOW}s ==="
    if [ "$server" = nchan ]; then
        start_nchan "$name"
    else
        # shellcheck disable=SC2086
        start_server "$name" WH_MAX_CONNECTIONS=$((subs + PUB_CONNS + 100)) $SERVER_ENV
    fi
    load_line before
    local rc=0
    run_client LoadGen --server "$server" --transport "$transport" --port "$SERVER_PORT" --pid "$SERVER_PID" \
        --subscribers "$subs" --topics "$TOPICS" --rate "$rate" --pub-conns "$PUB_CONNS" --payload "$PAYLOAD" \
        --warmup "$warm" --cold "$COLD" --window "$WINDOW" --drain "$DRAIN" --connect-timeout "$CONNECT_TIMEOUT" --clk-tck "$(getconf CLK_TCK)" \
        --out "$RESULTS_DIR/results.jsonl" --label "$(basename "$RESULTS_DIR")" || rc=$?
    load_line after
    if [ "$server" = nchan ]; then stop_nchan; else stop_server; fi
    if [ $rc -ne 0 ]; then
        echo "perf: LoadGen exited $rc for $name (logs: $PERF_LOGS)" >&2
        status=1
    fi
}

for s in $SERVERS; do
    case $s in wirehub) ensure_built ;; nchan) need_nchan ;; *) die "SERVERS: wirehub or nchan, got $s" ;; esac
done
begin_results SERVERS TRANSPORTS TIERS RATES CASES WINDOW WARMUP WARMUP_LONG PAYLOAD PUB_CONNS AOT
if [ "$AOT" = 1 ] && [[ " $SERVERS " == *" wirehub "* ]]; then
    OUT="$RESULTS_DIR/wirehub.aot" KIND=aot PERF_LOGS=$PERF_LOGS WIREHUB_JAR=$WIREHUB_JAR "$PERF_DIR/aot-train.sh"
    JAVA_OPTS_SERVER="$JAVA_OPTS_SERVER -XX:AOTCache=$RESULTS_DIR/wirehub.aot"
fi
smallest=$(tr ' ' '\n' <<<"$TIERS" | grep . | sort -n | head -1)
status=0
for t in $TRANSPORTS; do
    for r in $RATES; do
        for n in $TIERS; do
            for s in $SERVERS; do
                run_case "$s" "$t" "$n" "$r" "$(warmup_for "$t" "$n" "$r" "$smallest")"
            done
        done
    done
    for c in $CASES; do
        r=${c%x*}
        n=${c#*x}
        for s in $SERVERS; do
            run_case "$s" "$t" "$n" "$r" "$(warmup_for "$t" "$n" "$r" "$smallest")"
        done
    done
done
echo
echo "=== results: $RESULTS_DIR (results.jsonl, runs.md, deliveries.svg, latency.svg, latency-saturation.svg, rss.svg) ==="
"$JAVA" "$PERF_DIR/Report.java" "$RESULTS_DIR" || status=1
[ $status -eq 0 ] || echo "perf: some case failed or was not exactly once (see above)" >&2
exit $status
