#!/usr/bin/env bash
# Bus modes side by side (perf/BusBench.java): INSTANCES wirehub instances in one JVM on PostgreSQL,
# TOPICS topics, each instance following TOPICS/INSTANCES of them (one SSE stream each), RATE
# events/s for DURATION s, each published on an instance that does not follow its topic. Per mode:
# events each instance's bus received, deliveries, Redis output bytes, JVM CPU.
# Modes: channel and interest on the Redis at REDIS (127.0.0.1:6379); cluster and cluster-interest
# on a local three-primary Redis Cluster this script starts (redis-server 7+ and redis-cli needed) and stops.
# Knobs (environment): MODES="channel interest cluster cluster-interest" INSTANCES=4 TOPICS=200 RATE=400 DURATION=10
# SHARDS=64 REDIS=127.0.0.1:6379 PG_URL=jdbc:postgresql://127.0.0.1:5432/test PG_USER=postgres
set -euo pipefail
PERF_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$PERF_DIR")
source "$PERF_DIR/lib.sh"

MODES=${MODES:-channel interest cluster cluster-interest}
INSTANCES=${INSTANCES:-4}
TOPICS=${TOPICS:-200}
RATE=${RATE:-400}
DURATION=${DURATION:-10}
SHARDS=${SHARDS:-64}
REDIS=${REDIS:-127.0.0.1:6379}
PG_URL=${PG_URL:-jdbc:postgresql://127.0.0.1:5432/test}
PG_USER=${PG_USER:-postgres}

CLUSTER_PIDS=()
CLUSTER_DIR=""
stop_cluster() {
    for pid in "${CLUSTER_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${CLUSTER_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    CLUSTER_PIDS=()
    [ -z "$CLUSTER_DIR" ] || rm -rf "$CLUSTER_DIR"
}
trap 'cleanup; stop_cluster' EXIT

# A free port whose cluster bus port (port + 10000) is free too.
free_cluster_port() {
    python3 -c '
import socket
while True:
    a = socket.socket(); a.bind(("127.0.0.1", 0)); port = a.getsockname()[1]
    if port + 10000 > 65535:
        continue
    b = socket.socket()
    try:
        b.bind(("127.0.0.1", port + 10000)); print(port); break
    except OSError:
        pass
'
}

# Waits up to 20 s for a condition (a command), or dies naming what did not come.
await_or_die() {
    local what=$1
    shift
    local deadline=$((SECONDS + 20))
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || die "no $what within 20 s (logs in $CLUSTER_DIR)"
        sleep 0.1
    done
}

cluster_ok() {
    [[ "$(redis-cli -p "$1" cluster info)" == *cluster_state:ok* ]]
}

# Starts three primaries on free ports and assigns the slots; sets CLUSTER_NODES=host:port,host:port,host:port.
start_cluster() {
    command -v redis-server >/dev/null && command -v redis-cli >/dev/null || die "the cluster mode needs redis-server 7+ and redis-cli"
    CLUSTER_DIR=$(mktemp -d)
    local nodes=()
    for _ in 1 2 3; do
        local port
        port=$(free_cluster_port)
        mkdir -p "$CLUSTER_DIR/$port"
        redis-server --port "$port" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file "$CLUSTER_DIR/$port/nodes.conf" \
            --dir "$CLUSTER_DIR/$port" --save '' --appendonly no --protected-mode no >"$CLUSTER_DIR/$port/redis.log" 2>&1 &
        CLUSTER_PIDS+=($!)
        nodes+=("127.0.0.1:$port")
    done
    for node in "${nodes[@]}"; do
        await_or_die "answer from redis-server $node" redis-cli -p "${node#*:}" ping
    done
    redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >"$CLUSTER_DIR/create.log" 2>&1 \
        || die "redis-cli --cluster create failed: $(tail -5 "$CLUSTER_DIR/create.log")"
    for node in "${nodes[@]}"; do
        await_or_die "cluster_state:ok on $node" cluster_ok "${node#*:}"
    done
    CLUSTER_NODES=$(IFS=,; echo "${nodes[*]}")
}

ensure_built
machine_line
status=0
for mode in $MODES; do
    echo
    echo "=== bus: $mode, $INSTANCES instances, $TOPICS topics, $RATE events/s, ${DURATION}s ==="
    target=$REDIS
    if [[ "$mode" == cluster* ]]; then
        start_cluster
        target=$CLUSTER_NODES
    fi
    load_line before
    rc=0
    JAVA_OPTS_CLIENT="-cp $ROOT/target/wirehub.jar ${JAVA_OPTS_CLIENT}" run_client BusBench --mode "$mode" --instances "$INSTANCES" \
        --topics "$TOPICS" --rate "$RATE" --seconds "$DURATION" --shards "$SHARDS" --redis "$target" --pg-url "$PG_URL" --pg-user "$PG_USER" \
        2>"$PERF_LOGS/bus-$mode.log" || rc=$?
    load_line after
    [[ "$mode" != cluster* ]] || stop_cluster
    if [ $rc -ne 0 ]; then
        echo "perf: BusBench exited $rc for $mode (log: $PERF_LOGS/bus-$mode.log)" >&2
        status=1
    fi
done
exit $status
