#!/usr/bin/env bash
# Buffer sizing (experiment 1 in perf/results/README.md): how many events a subscriber's queue
# (server.sse_channel_buffer / server.ws_channel_buffer) must hold. A fresh server per case with
# both buffers set to the case's size; perf/LoadGen.java as the client: TOPICS topics updated at
# RATE events/s in all (steady; published in batches of BATCH events to consecutive topics, as a
# backend forwarding updates would, so that the publish side does not eat the 2 cores), subscribers
# on 1-5 topics each; the bursty profile adds a batch of BURST events to one topic every
# BURST_EVERY seconds. Reports per run the hub's overflows (events a full queue refused) and
# catch-ups (store reads that repaired them), latency, and RSS per stream, idle and loaded; the
# first run of each case also the server's heap after a full GC (jcmd, a few seconds). Exactly once
# or the run fails.
#
# Knobs (environment):
#   TRANSPORTS="sse ws"  BUFFERS="4 8 16 32 64 128 256"  PROFILES="steady bursty"
#   SUBSCRIBERS="1000"   (10 / 100 / 10000 too if time allows)   REPEAT=2 (runs per case)
#   TOPICS=200 RATE=1000 BATCH=10 TOPICS_PER_SUB=1-5 BURST=50 BURST_EVERY=1 PUB_CONNS=4
#   WINDOW=5 WARMUP=3 COLD=2 DRAIN=60 PAYLOAD=150
#   RESULTS_DIR=perf/results/<date>-buffer   results.jsonl, buffer.md, overflows.svg
#   WIREHUB_JAR, SERVER_ENV="WH_...=..", JAVA_OPTS_SERVER, JAVA_OPTS_CLIENT
set -euo pipefail
PERF_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$PERF_DIR")
source "$PERF_DIR/lib.sh"

TRANSPORTS=${TRANSPORTS:-sse ws}
BUFFERS=${BUFFERS:-4 8 16 32 64 128 256}
PROFILES=${PROFILES:-steady bursty}
SUBSCRIBERS=${SUBSCRIBERS:-1000}
REPEAT=${REPEAT:-2}
TOPICS=${TOPICS:-200}
RATE=${RATE:-1000}
BATCH=${BATCH:-10}
TOPICS_PER_SUB=${TOPICS_PER_SUB:-1-5}
BURST=${BURST:-50}
BURST_EVERY=${BURST_EVERY:-1}
PUB_CONNS=${PUB_CONNS:-4}
WINDOW=${WINDOW:-5}
WARMUP=${WARMUP:-3}
COLD=${COLD:-2}
DRAIN=${DRAIN:-60}
PAYLOAD=${PAYLOAD:-150}
SERVER_ENV=${SERVER_ENV:-}
RESULTS_DIR=${RESULTS_DIR:-$PERF_DIR/results/$(date -u +%Y%m%d-%H%M)-buffer}

# run_case TRANSPORT PROFILE SUBSCRIBERS BUFFER RUN
run_case() {
    local transport=$1 profile=$2 subs=$3 buffer=$4 run=$5
    local name="$transport-$profile-$subs-b$buffer-$run"
    local burst=0 jcmd=none
    [ "$profile" = bursty ] && burst=$BURST
    [ "$run" = 1 ] && jcmd="$JDK/bin/jcmd"
    [ $((subs + 300)) -le "$(ulimit -n)" ] || die "$subs subscribers do not fit under ulimit -n $(ulimit -n)"
    echo
    echo "=== $transport, $profile, $subs subscribers, buffer $buffer (run $run of $REPEAT) ==="
    # shellcheck disable=SC2086
    start_server "$name" WH_SSE_CHANNEL_BUFFER="$buffer" WH_WS_CHANNEL_BUFFER="$buffer" \
        WH_MAX_CONNECTIONS=$((subs + PUB_CONNS + 100)) $SERVER_ENV
    load_line before
    local rc=0
    run_client LoadGen --transport "$transport" --port "$SERVER_PORT" --pid "$SERVER_PID" \
        --subscribers "$subs" --topics "$TOPICS" --topics-per-sub "$TOPICS_PER_SUB" --rate "$RATE" --batch "$BATCH" \
        --burst "$burst" --burst-every "$BURST_EVERY" --pub-conns "$PUB_CONNS" --payload "$PAYLOAD" \
        --warmup "$WARMUP" --cold "$COLD" --window "$WINDOW" --drain "$DRAIN" --clk-tck "$(getconf CLK_TCK)" \
        --jcmd "$jcmd" --out "$RESULTS_DIR/results.jsonl" --label "buffer=$buffer profile=$profile" || rc=$?
    load_line after
    stop_server
    if [ $rc -ne 0 ]; then
        echo "perf: LoadGen exited $rc for $name (logs: $PERF_LOGS)" >&2
        status=1
    fi
}

ensure_built
begin_results TRANSPORTS BUFFERS PROFILES SUBSCRIBERS REPEAT TOPICS RATE BATCH TOPICS_PER_SUB BURST BURST_EVERY PUB_CONNS WINDOW WARMUP
status=0
for n in $SUBSCRIBERS; do
    for t in $TRANSPORTS; do
        for p in $PROFILES; do
            for b in $BUFFERS; do
                for r in $(seq "$REPEAT"); do
                    run_case "$t" "$p" "$n" "$b" "$r"
                done
            done
        done
    done
done
echo
echo "=== results: $RESULTS_DIR (results.jsonl, buffer.md, overflows.svg) ==="
"$JAVA" "$PERF_DIR/BufferReport.java" "$RESULTS_DIR" || status=1
[ $status -eq 0 ] || echo "perf: some case failed or was not exactly once (see above)" >&2
exit $status
