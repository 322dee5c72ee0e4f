#!/usr/bin/env bash
# Ingest and replay with the PostgreSQL store, through the HTTP API (perf/IngestBench.java): a
# fresh wirehub per case, on a schema of its own in the given database, dropped at the end.
#  1. publish: P closed-loop publishers (one keep-alive connection and one topic each), batch B
#     (1: POST /v1/topics/{t}/events; more: POST /v1/events), W s warm-up then S s measured.
#  2. replay: the table filled by PostgreSQL itself (T topics x E events, generate_series), then
#     reconnects with Last-Event-ID N behind a topic's head, at the default replay cap (100) and at
#     REPLAY_CAP; N past the cap gets a reset.
# Knobs (environment): PUBLISHERS="1 16 64" BATCHES="1 10 100" SECONDS_PER_CASE=5 WARMUP_SECONDS=3
# REPLAY_TOPICS=100 REPLAY_EVENTS=10000 BEHIND="10 100 1000" REPLAY_CAP=1000 BEHIND_AT_CAP="1000 10000"
# RECONNECTS=200 PG_URL=jdbc:postgresql://127.0.0.1:5432/test PG_USER=postgres START_ATTEMPTS=3 SERVER_ENV JAVA_OPTS_SERVER JAVA_OPTS_CLIENT
set -euo pipefail
PERF_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$PERF_DIR")
# The server gives PostgreSQL 2 s to hand it a first connection, then refuses to start; on a
# machine loaded far past its cores that happens (seen at load average 30 on 2 cores): try again.
START_ATTEMPTS=${START_ATTEMPTS:-3}
source "$PERF_DIR/lib.sh"

PUBLISHERS=${PUBLISHERS:-1 16 64}
BATCHES=${BATCHES:-1 10 100}
SECONDS_PER_CASE=${SECONDS_PER_CASE:-5}
WARMUP_SECONDS=${WARMUP_SECONDS:-3}
REPLAY_TOPICS=${REPLAY_TOPICS:-100}
REPLAY_EVENTS=${REPLAY_EVENTS:-10000}
BEHIND=${BEHIND:-10 100 1000}
REPLAY_CAP=${REPLAY_CAP:-1000}
BEHIND_AT_CAP=${BEHIND_AT_CAP:-1000 10000}
RECONNECTS=${RECONNECTS:-200}
PG_URL=${PG_URL:-jdbc:postgresql://127.0.0.1:5432/test}
PG_USER=${PG_USER:-postgres}
SERVER_ENV=${SERVER_ENV:-}

ensure_built
PG_JAR=$(ls "$ROOT"/target/libs/postgresql-*.jar | head -1)
SCHEMA="wirehub_ingest_$(date +%s)_$$"
JAVA_OPTS_CLIENT="-cp $PG_JAR $JAVA_OPTS_CLIENT"
drop_schema() {
    "$JAVA" $JAVA_OPTS_CLIENT "$PERF_DIR/IngestBench.java" drop --jdbc "$PG_URL" --user "$PG_USER" --schema "$SCHEMA" \
        || echo "perf: could not drop schema $SCHEMA; drop it by hand" >&2
}
trap 'cleanup; drop_schema' EXIT

# The server: PostgreSQL store on our own schema, every event kept (retention off), SSE heartbeats
# each second so that the streams the replay client closes are released within about 2 s.
PG_ENV=(WH_STORE_TYPE=postgres "WH_STORE_POSTGRES_URL=$PG_URL" "WH_STORE_POSTGRES_USER=$PG_USER"
    "WH_STORE_POSTGRES_SCHEMA=$SCHEMA" WH_STORE_RETENTION=0s WH_HEARTBEAT_INTERVAL=1s)

machine_line
echo "postgres: $PG_URL, schema $SCHEMA, $(psql -h 127.0.0.1 -U "$PG_USER" -d "${PG_URL##*/}" -Atc 'SHOW server_version' 2>/dev/null || echo 'version unknown')"
status=0
for p in $PUBLISHERS; do
    for b in $BATCHES; do
        echo
        echo "=== publish: $p publisher(s), batch $b, ${SECONDS_PER_CASE}s ==="
        # shellcheck disable=SC2086
        start_server "ingest-$p-$b" "${PG_ENV[@]}" $SERVER_ENV
        load_line before
        run_client IngestBench publish --port "$SERVER_PORT" --pid "$SERVER_PID" --clk-tck "$(getconf CLK_TCK)" \
            --publishers "$p" --batch "$b" --seconds "$SECONDS_PER_CASE" --warmup-seconds "$WARMUP_SECONDS" \
            --label "p$p-b$b" --jdbc "$PG_URL" --user "$PG_USER" --schema "$SCHEMA" || status=1
        stop_server
    done
done

for cap in 100 "$REPLAY_CAP"; do
    if [ "$cap" = 100 ]; then behind=$BEHIND; fill=--fill; else behind=$BEHIND_AT_CAP; fill=; fi
    echo
    echo "=== replay: cap $cap, $REPLAY_TOPICS topics x $REPLAY_EVENTS events, N behind = $behind ==="
    # shellcheck disable=SC2086
    start_server "replay-$cap" "${PG_ENV[@]}" WH_STORE_REPLAY_LIMIT=$cap $SERVER_ENV
    load_line before
    for c in 1 16; do
        run_client IngestBench replay --port "$SERVER_PORT" $fill --topics "$REPLAY_TOPICS" --events-per-topic "$REPLAY_EVENTS" \
            --behind "$behind" --reconnects "$RECONNECTS" --concurrency "$c" --label "cap$cap" \
            --jdbc "$PG_URL" --user "$PG_USER" --schema "$SCHEMA" || status=1
        fill=
    done
    load_line after
    stop_server
done
exit $status
