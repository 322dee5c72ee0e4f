#!/usr/bin/env bash
# Multi-instance through Redis (experiment 4 in docs/deployment.md): instance A takes the
# publishes, instance B serves the N subscribers, sharing PostgreSQL and Redis, so every delivery
# crosses the bus; against one instance with the same store and bus (publishes and subscribers on
# it, its own PUBLISH coming back through Redis) in the same run. perf/LoadGen.java publishes on A
# (--pub-port) and reads B's streams; server CPU and RSS are A's and B's summed.
# Fresh servers per case; one fresh PostgreSQL schema and Redis channel prefix per script run, the
# schema dropped at the end.
#
# Knobs (environment):
#   TIERS="1000 100"  TRANSPORTS="sse"  RATES="0 100" (0 = saturation)  REPEAT=2 (runs per case)
#   SETUPS="single multi"  TOPICS=1 PUB_CONNS=4 PAYLOAD=150 WINDOW=5 WARMUP=3 COLD=2 DRAIN=60
#   PG_URL=jdbc:postgresql://127.0.0.1:5432/test PG_USER=postgres REDIS_URL=redis://127.0.0.1:6379
#   RESULTS_DIR=perf/results/<date>-multi   results.jsonl, runs.md (perf/Report.java), multi.md
#   WIREHUB_JAR, SERVER_ENV="WH_...=..", JAVA_OPTS_SERVER, JAVA_OPTS_CLIENT
set -euo pipefail
PERF_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$PERF_DIR")
source "$PERF_DIR/lib.sh"

TIERS=${TIERS:-1000 100}
TRANSPORTS=${TRANSPORTS:-sse}
RATES=${RATES:-0 100}
REPEAT=${REPEAT:-2}
SETUPS=${SETUPS:-single multi}
TOPICS=${TOPICS:-1}
PUB_CONNS=${PUB_CONNS:-4}
PAYLOAD=${PAYLOAD:-150}
WINDOW=${WINDOW:-5}
WARMUP=${WARMUP:-3}
COLD=${COLD:-2}
DRAIN=${DRAIN:-60}
PG_URL=${PG_URL:-jdbc:postgresql://127.0.0.1:5432/test}
PG_USER=${PG_USER:-postgres}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
SERVER_ENV=${SERVER_ENV:-}
RESULTS_DIR=${RESULTS_DIR:-$PERF_DIR/results/$(date -u +%Y%m%d-%H%M)-multi}
command -v psql >/dev/null || die "psql is needed to drop the run's schema"

SCHEMA="perf_multi_$$"
CHANNEL="perf-multi-$$"
STORE_BUS_ENV="WH_STORE_TYPE=postgres WH_STORE_POSTGRES_URL=$PG_URL WH_STORE_POSTGRES_USER=$PG_USER
    WH_STORE_POSTGRES_SCHEMA=$SCHEMA WH_BUS_TYPE=redis WH_BUS_REDIS_URL=$REDIS_URL WH_BUS_REDIS_CHANNEL=$CHANNEL"
# psql's connection from the JDBC URL: jdbc:postgresql://HOST:PORT/DB
PG_HOSTPORT=${PG_URL#jdbc:postgresql://}
PG_HOSTPORT=${PG_HOSTPORT%%/*}
PG_DB=${PG_URL##*/}

A_PID="" # instance A (the publishers' one) while a multi case runs; B is lib.sh's SERVER_PID

stop_a() {
    [ -n "$A_PID" ] || return 0
    local b=$SERVER_PID
    SERVER_PID=$A_PID
    A_PID=""
    stop_server
    SERVER_PID=$b
}

drop_schema() {
    psql -q -h "${PG_HOSTPORT%%:*}" -p "${PG_HOSTPORT##*:}" -U "$PG_USER" -d "$PG_DB" \
        -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || echo "perf: could not drop schema $SCHEMA in $PG_DB" >&2
}
trap 'stop_a; cleanup; drop_schema' EXIT

# run_case SETUP TRANSPORT SUBSCRIBERS RATE RUN
run_case() {
    local setup=$1 transport=$2 subs=$3 rate=$4 run=$5
    local name="$setup-$transport-$subs-$rate-$run" pub_port pids
    echo
    echo "=== $setup: $transport, $subs subscribers, $([ "$rate" = 0 ] && echo saturation || echo "$rate events/s") (run $run of $REPEAT) ==="
    if [ "$setup" = multi ]; then
        # shellcheck disable=SC2086
        start_server "$name-A" WH_MAX_CONNECTIONS=$((PUB_CONNS + 100)) $STORE_BUS_ENV $SERVER_ENV
        A_PID=$SERVER_PID
        pub_port=$SERVER_PORT
        SERVER_PID=""
    fi
    # shellcheck disable=SC2086
    start_server "$name-B" WH_MAX_CONNECTIONS=$((subs + PUB_CONNS + 100)) $STORE_BUS_ENV $SERVER_ENV
    [ "$setup" = multi ] || pub_port=$SERVER_PORT
    pids=$SERVER_PID${A_PID:+,$A_PID}
    load_line before
    local rc=0
    run_client LoadGen --transport "$transport" --port "$SERVER_PORT" --pub-port "$pub_port" --pid "$pids" \
        --subscribers "$subs" --topics "$TOPICS" --rate "$rate" --pub-conns "$PUB_CONNS" --payload "$PAYLOAD" \
        --warmup "$WARMUP" --cold "$COLD" --window "$WINDOW" --drain "$DRAIN" --clk-tck "$(getconf CLK_TCK)" \
        --out "$RESULTS_DIR/results.jsonl" --label "setup=$setup" || rc=$?
    load_line after
    stop_server
    stop_a
    if [ $rc -ne 0 ]; then
        echo "perf: LoadGen exited $rc for $name (logs: $PERF_LOGS)" >&2
        status=1
    fi
}

ensure_built
mkdir -p "$RESULTS_DIR"
compile_client LoadGen
machine_line | tee "$RESULTS_DIR/machine.txt"
echo "command: $(for v in TIERS TRANSPORTS RATES REPEAT SETUPS TOPICS PUB_CONNS WINDOW WARMUP; do printf '%s="%s" ' $v "${!v}"; done)$0" \
    | tee -a "$RESULTS_DIR/machine.txt"
echo "store: PostgreSQL $PG_URL schema $SCHEMA; bus: Redis $REDIS_URL channel prefix $CHANNEL" | tee -a "$RESULTS_DIR/machine.txt"
status=0
for t in $TRANSPORTS; do
    for n in $TIERS; do
        for r in $RATES; do
            for s in $SETUPS; do
                for i in $(seq "$REPEAT"); do
                    run_case "$s" "$t" "$n" "$r" "$i"
                done
            done
        done
    done
done
echo
echo "=== results: $RESULTS_DIR (results.jsonl, multi.md) ==="
"$JAVA" "$PERF_DIR/MultiReport.java" "$RESULTS_DIR" || status=1
[ $status -eq 0 ] || echo "perf: some case failed or was not exactly once (see above)" >&2
exit $status
