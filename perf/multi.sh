#!/usr/bin/env bash
# Multi-instance through Redis (experiment 4 in perf/results/README.md): instance A takes the
# publishes, instance B serves the N subscribers, sharing PostgreSQL and Redis, so every delivery
# crosses the bus; against one instance S with the same store and bus settings (publishes and
# subscribers on it, its own PUBLISH coming back through Redis), the cases alternating S and A+B.
# perf/LoadGen.java publishes on A (--pub-port) and reads B's streams; server CPU and RSS are A's
# and B's summed. The three servers start once and serve every case (a JVM with a PostgreSQL store
# took 35 s to start on the loaded machine, and its first JDBC connection 7 s, past the pool's 2 s
# timeout: START_ATTEMPTS retries that); S has its own schema and channel prefix, A and B share
# theirs; both schemas are dropped at the end.
#
# Knobs (environment):
#   TIERS="1000 100"  TRANSPORTS="sse"  RATES="0 50" (0 = saturation)  REPEAT=2 (runs per case)
#   TOPICS=1 PUB_CONNS=4 PAYLOAD=150 WINDOW=5 WARMUP=3 COLD=2 DRAIN=60 START_ATTEMPTS=6
#   PG_URL=jdbc:postgresql://127.0.0.1:5432/test PG_USER=postgres REDIS_URL=redis://127.0.0.1:6379
#   SERVER_ENV="WH_STORE_POSTGRES_POOL_SIZE=30" (every server)
#   RESULTS_DIR=perf/results/<date>-multi   results.jsonl, runs.md, multi.md
#   WIREHUB_JAR, JAVA_OPTS_SERVER, JAVA_OPTS_CLIENT
set -euo pipefail
PERF_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$PERF_DIR")
START_ATTEMPTS=${START_ATTEMPTS:-6}
source "$PERF_DIR/lib.sh"

TIERS=${TIERS:-1000 100}
TRANSPORTS=${TRANSPORTS:-sse}
RATES=${RATES:-0 50}
REPEAT=${REPEAT:-2}
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
SERVER_ENV=${SERVER_ENV:-WH_STORE_POSTGRES_POOL_SIZE=30}
RESULTS_DIR=${RESULTS_DIR:-$PERF_DIR/results/$(date -u +%Y%m%d-%H%M)-multi}
command -v psql >/dev/null || die "psql is needed to drop the run's schemas"

# psql's connection from the JDBC URL: jdbc:postgresql://HOST:PORT/DB
PG_HOSTPORT=${PG_URL#jdbc:postgresql://}
PG_HOSTPORT=${PG_HOSTPORT%%/*}
PG_DB=${PG_URL##*/}
MAX_SUBS=$(tr ' ' '\n' <<<"$TIERS" | sort -n | tail -1)

# store_bus_env NAME: the settings of a deployment named NAME (its own schema and channel prefix)
store_bus_env() {
    echo "WH_STORE_TYPE=postgres WH_STORE_POSTGRES_URL=$PG_URL WH_STORE_POSTGRES_USER=$PG_USER" \
        "WH_STORE_POSTGRES_SCHEMA=perf_$1_$$ WH_BUS_TYPE=redis WH_BUS_REDIS_URL=$REDIS_URL WH_BUS_REDIS_CHANNEL=perf-$1-$$" \
        "WH_MAX_CONNECTIONS=$((2 * MAX_SUBS + 200)) $SERVER_ENV" # closed SSE streams linger until the next write
}

# The servers: S (single), A and B (multi). lib.sh's start_server/stop_server handle SERVER_PID.
S_PID="" S_PORT="" A_PID="" A_PORT="" B_PID="" B_PORT=""

stop_pid() {
    [ -n "$1" ] || return 0
    SERVER_PID=$1
    stop_server
}

drop_schemas() {
    for name in single multi; do
        psql -q -h "${PG_HOSTPORT%%:*}" -p "${PG_HOSTPORT##*:}" -U "$PG_USER" -d "$PG_DB" \
            -c "DROP SCHEMA IF EXISTS perf_${name}_$$ CASCADE" >/dev/null 2>&1 || echo "perf: could not drop schema perf_${name}_$$" >&2
    done
}
trap 'cleanup; stop_pid "$S_PID"; stop_pid "$A_PID"; stop_pid "$B_PID"; drop_schemas' EXIT

# run_case SETUP TRANSPORT SUBSCRIBERS RATE RUN
run_case() {
    local setup=$1 transport=$2 subs=$3 rate=$4 run=$5 port pub_port pids
    if [ "$setup" = multi ]; then
        port=$B_PORT pub_port=$A_PORT pids=$B_PID,$A_PID
    else
        port=$S_PORT pub_port=$S_PORT pids=$S_PID
    fi
    echo
    echo "=== $setup: $transport, $subs subscribers, $([ "$rate" = 0 ] && echo saturation || echo "$rate events/s") (run $run of $REPEAT) ==="
    load_line before
    local rc=0
    run_client LoadGen --transport "$transport" --port "$port" --pub-port "$pub_port" --pid "$pids" \
        --subscribers "$subs" --topics "$TOPICS" --rate "$rate" --pub-conns "$PUB_CONNS" --payload "$PAYLOAD" \
        --warmup "$WARMUP" --cold "$COLD" --window "$WINDOW" --drain "$DRAIN" --clk-tck "$(getconf CLK_TCK)" \
        --out "$RESULTS_DIR/results.jsonl" --label "setup=$setup" || rc=$?
    load_line after
    if [ $rc -ne 0 ]; then
        echo "perf: LoadGen exited $rc for $setup-$transport-$subs-$rate-$run (logs: $PERF_LOGS)" >&2
        status=1
    fi
}

ensure_built
begin_results TIERS TRANSPORTS RATES REPEAT TOPICS PUB_CONNS WINDOW WARMUP SERVER_ENV
echo "store: PostgreSQL $PG_URL schemas perf_single_$$, perf_multi_$$; bus: Redis $REDIS_URL channel prefixes perf-single-$$, perf-multi-$$" \
    | tee -a "$RESULTS_DIR/machine.txt"
# shellcheck disable=SC2046
start_server S $(store_bus_env single)
S_PID=$SERVER_PID S_PORT=$SERVER_PORT
# shellcheck disable=SC2046
start_server A $(store_bus_env multi)
A_PID=$SERVER_PID A_PORT=$SERVER_PORT
# shellcheck disable=SC2046
start_server B $(store_bus_env multi)
B_PID=$SERVER_PID B_PORT=$SERVER_PORT
SERVER_PID="" # stopped by the trap, by name
status=0
for t in $TRANSPORTS; do
    for n in $TIERS; do
        for r in $RATES; do
            for i in $(seq "$REPEAT"); do
                for s in single multi; do
                    run_case "$s" "$t" "$n" "$r" "$i"
                done
            done
        done
    done
done
echo
echo "=== results: $RESULTS_DIR (results.jsonl, runs.md, multi.md) ==="
"$JAVA" "$PERF_DIR/MultiReport.java" "$RESULTS_DIR" || status=1
[ $status -eq 0 ] || echo "perf: some case failed or was not exactly once (see above)" >&2
exit $status
