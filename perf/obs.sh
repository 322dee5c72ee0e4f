#!/usr/bin/env bash
# make dev-obs / dev-obs-down / dev-obs-check: the observability stack on one machine, no Docker.
#
#   up     PostgreSQL and Redis (the machine's when they answer on 5432 / 6379, else embedded ones
#          from the build's test dependencies), two wirehub instances on them (8081, 8082),
#          Prometheus when Debian's package is installed (config/prometheus.yml with the alerts of
#          config/prometheus-alerts.yml, port 9090), and
#          a light demo load (perf/DemoLoad.java). Prints every URL.
#   down   stops exactly what `up` started (PID files in target/dev-obs), nothing else, and drops
#          the instances' schema from the machine's PostgreSQL: the one dev-obs created, or
#          wirehub_dev (its own name, whatever run left it); a schema it found and did not name
#          itself (DEV_OBS_SCHEMA pointed at an existing one) is kept, and down says so.
#   check  up, every printed URL answers, down, and no process or schema of ours is left.
#
# Knobs: DEV_OBS_PORTS ("8081 8082"), PROMETHEUS_PORT (9090), DEMO_TOPICS, DEMO_SUBSCRIBERS,
# DEMO_RATE, DEMO_SLOW (see perf/DemoLoad.java), DEV_OBS_SCHEMA (wirehub_dev: the PostgreSQL schema
# and the Redis channel of the instances), DEV_OBS_EMBEDDED=1 (start embedded PostgreSQL and a
# redis-server even when the machine's answer).
set -euo pipefail
cd "$(dirname "$0")/.."
# The JVM flags `make run` uses (docs/deployment.md#jvm-flags); SERVER_JVM_FLAGS="" for the JVM's defaults.
SERVER_JVM_FLAGS=${SERVER_JVM_FLAGS-$(make -s server-jvm-flags)}
STATE=target/dev-obs
PORTS=${DEV_OBS_PORTS:-"8081 8082"}
PROM_PORT=${PROMETHEUS_PORT:-9090}
DEFAULT_SCHEMA=wirehub_dev
SCHEMA=${DEV_OBS_SCHEMA:-$DEFAULT_SCHEMA}
EMBEDDED_PG_PORT=${EMBEDDED_PG_PORT:-54329}
EMBEDDED_REDIS_PORT=${EMBEDDED_REDIS_PORT:-63799}

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # what, seconds, command...
    local what=$1 seconds=$2; shift 2
    for _ in $(seq $((seconds * 10))); do "$@" && return 0; sleep 0.1; done
    echo "dev-obs: $what did not come up in ${seconds}s (logs in $STATE/)" >&2
    return 1
}

dev_schema() { # exists|drop, JDBC URL: the instances' schema on the machine's PostgreSQL (perf/DevSchema.java)
    java -cp 'target/libs/*' perf/DevSchema.java "$1" "$2" "$SCHEMA"
}

start() { # name, command... : runs it in the background, its PID in $STATE/name.pid
    local name=$1; shift
    "$@" > "$STATE/$name.log" 2>&1 &
    echo $! > "$STATE/$name.pid"
}

up() {
    if ls "$STATE"/*.pid >/dev/null 2>&1; then
        echo "dev-obs: already running (make dev-obs-down first)" >&2
        exit 1
    fi
    mkdir -p "$STATE"
    [ -f target/wirehub.jar ] || make -s build
    local pg_port=5432 redis_port=6379 embedded=()
    local force=${DEV_OBS_EMBEDDED:-0} # 1: as on a machine with neither service
    { [ "$force" != 1 ] && answers 5432; } || { pg_port=$EMBEDDED_PG_PORT; embedded+=(postgres "$pg_port"); }
    { [ "$force" != 1 ] && answers 6379; } || {
        redis_port=$EMBEDDED_REDIS_PORT
        if command -v redis-server >/dev/null; then
            start redis redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no
        else
            embedded+=(redis "$redis_port")
        fi
    }
    if [ ${#embedded[@]} -gt 0 ]; then
        command -v mvn >/dev/null || [ -f target/test-classpath.txt ] || {
            echo "dev-obs: no PostgreSQL or Redis here, and the embedded ones come through Maven, which is not on PATH:" \
                "install Maven (apt-get install maven) or start PostgreSQL on 5432 and Redis on 6379" >&2
            exit 1
        }
        [ -f target/test-classpath.txt ] || mvn -B -ntp -q dependency:build-classpath -Dmdep.includeScope=test \
            -Dmdep.outputFile=target/test-classpath.txt
        rm -f "$STATE/services.ready"
        start services java -cp "$(cat target/test-classpath.txt)" perf/DevServices.java "$STATE/services.ready" "${embedded[@]}"
        wait_for "embedded services (${embedded[*]})" 120 test -f "$STATE/services.ready"
    fi
    wait_for "Redis on $redis_port" 10 answers "$redis_port"
    echo "dev-obs: PostgreSQL on 127.0.0.1:$pg_port$([ "$pg_port" = 5432 ] && echo " (the machine's)" || echo " (embedded)")," \
        "Redis on 127.0.0.1:$redis_port$([ "$redis_port" = 6379 ] && echo " (the machine's)" || echo " (started here)")"

    local url="jdbc:postgresql://127.0.0.1:$pg_port/postgres"
    if [ "$pg_port" = 5432 ]; then
        # The machine's PostgreSQL outlives us: remember whether the schema is ours to drop on down.
        local found
        found=$(dev_schema exists "$url") || {
            echo "dev-obs: cannot log in to PostgreSQL on 127.0.0.1:5432 as ${WH_STORE_POSTGRES_USER:-postgres}" \
                "(WH_STORE_POSTGRES_USER / WH_STORE_POSTGRES_PASSWORD), or DEV_OBS_EMBEDDED=1 for an embedded one" >&2
            exit 1
        }
        if [ "$found" = absent ] || [ "$SCHEMA" = "$DEFAULT_SCHEMA" ]; then
            echo "$url" > "$STATE/schema.drop"
        else
            echo "dev-obs: schema $SCHEMA exists already on 127.0.0.1:5432: the instances use it, and down will keep it"
        fi
    fi
    for port in $PORTS; do
        # auth none: a local demo stack on 127.0.0.1 (production.yaml's jwt would need a secret and tokens); no shutdown delay: no load balancer to wait for
        start "wirehub-$port" env WH_PORT="$port" WH_HOST=127.0.0.1 WH_AUTH_MODE=none WH_SHUTDOWN_DELAY=0s \
            WH_STORE_POSTGRES_URL="$url" WH_STORE_POSTGRES_SCHEMA="$SCHEMA" \
            WH_BUS_REDIS_URL="redis://127.0.0.1:$redis_port" WH_BUS_REDIS_CHANNEL="$SCHEMA" \
            java $SERVER_JVM_FLAGS -jar target/wirehub.jar --config config/production.yaml
    done
    for port in $PORTS; do
        wait_for "wirehub on $port" 60 curl -sf -o /dev/null "http://127.0.0.1:$port/health"
    done

    if command -v prometheus >/dev/null; then
        local targets
        targets=$(for port in $PORTS; do printf "'127.0.0.1:%s'," "$port"; done)
        sed "s/__TARGETS__/${targets%,}/" config/prometheus.yml > "$STATE/prometheus.yml"
        cp config/prometheus-alerts.yml "$STATE/" # its rule_files, read from beside it
        start prometheus prometheus --config.file="$STATE/prometheus.yml" --storage.tsdb.path="$STATE/prometheus-data" \
            --web.listen-address="127.0.0.1:$PROM_PORT"
        wait_for "Prometheus on $PROM_PORT" 30 curl -sf -o /dev/null "http://127.0.0.1:$PROM_PORT/-/ready"
    else
        echo "dev-obs: no Prometheus here (apt-get install prometheus adds it); everything else runs"
    fi

    start demo-load env DEMO_PORTS="$(echo $PORTS | tr ' ' ',')" java perf/DemoLoad.java

    echo
    for port in $PORTS; do
        echo "  wirehub       http://127.0.0.1:$port/dashboard   http://127.0.0.1:$port/metrics   http://127.0.0.1:$port/health"
    done
    command -v prometheus >/dev/null && echo "  Prometheus    http://127.0.0.1:$PROM_PORT/graph   alerts (config/prometheus-alerts.yml): http://127.0.0.1:$PROM_PORT/alerts"
    echo "  Grafana       import config/grafana/wirehub.json (Prometheus data source)"
    echo "  stop with     make dev-obs-down"
}

down() {
    local stopped=0
    for pidfile in "$STATE"/*.pid; do
        [ -e "$pidfile" ] || continue
        local pid
        pid=$(cat "$pidfile")
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
            stopped=$((stopped + 1))
        fi
        rm -f "$pidfile"
    done
    echo "dev-obs: stopped $stopped process(es)"
    # After the instances: none of them still writes into the schema.
    if [ -f "$STATE/schema.drop" ]; then
        if dev_schema drop "$(cat "$STATE/schema.drop")"; then
            echo "dev-obs: dropped schema $SCHEMA from 127.0.0.1:5432"
            rm -f "$STATE/schema.drop"
        else
            echo "dev-obs: could not drop schema $SCHEMA (is PostgreSQL up?); make dev-obs-down tries again" >&2
        fi
    fi
}

check() {
    # A schema (and channel) of its own unless told: a check running beside someone's make dev-obs on
    # the same PostgreSQL must not drop their schema, nor see their events.
    [ -n "${DEV_OBS_SCHEMA:-}" ] || SCHEMA="wirehub_check_$$"
    trap down EXIT
    up
    local urls=()
    for port in $PORTS; do
        urls+=("http://127.0.0.1:$port/dashboard" "http://127.0.0.1:$port/metrics" "http://127.0.0.1:$port/health")
    done
    command -v prometheus >/dev/null && urls+=("http://127.0.0.1:$PROM_PORT/-/ready")
    for url in "${urls[@]}"; do
        curl -sf -o /dev/null "$url" || { echo "dev-obs check: $url does not answer" >&2; exit 1; }
    done
    if command -v prometheus >/dev/null; then
        wait_for "Prometheus scraping every instance" 30 bash -c \
            "[ \$(curl -s http://127.0.0.1:$PROM_PORT/api/v1/targets | grep -o '\"health\":\"up\"' | wc -l) -eq $(echo $PORTS | wc -w) ]"
        local rules
        rules=$(curl -s "http://127.0.0.1:$PROM_PORT/api/v1/rules" | grep -o '"type":"alerting"' | wc -l)
        [ "$rules" -gt 0 ] || { echo "dev-obs check: Prometheus loaded no alerting rule from config/prometheus-alerts.yml" >&2; exit 1; }
        echo "dev-obs check: Prometheus evaluates $rules alerting rules"
    fi
    wait_for "demo events flowing" 30 bash -c "curl -s http://127.0.0.1:${PORTS%% *}/metrics | grep -q '^wirehub_deliveries_total [1-9]'"
    local pids dropped=""
    pids=$(cat "$STATE"/*.pid)
    [ -f "$STATE/schema.drop" ] && dropped=$(cat "$STATE/schema.drop")
    trap - EXIT
    down
    for pid in $pids; do
        if kill -0 "$pid" 2>/dev/null; then echo "dev-obs check: process $pid still running" >&2; exit 1; fi
    done
    for port in $PORTS $PROM_PORT $EMBEDDED_PG_PORT $EMBEDDED_REDIS_PORT; do
        if answers "$port"; then echo "dev-obs check: something still listens on $port" >&2; exit 1; fi
    done
    if [ -n "$dropped" ] && [ "$(dev_schema exists "$dropped")" != absent ]; then
        echo "dev-obs check: schema $SCHEMA is still there" >&2; exit 1
    fi
    echo "dev-obs check: every URL answered (${#urls[@]}), events flowed, nothing left running$([ -n "$dropped" ] && echo ", schema $SCHEMA dropped")"
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    check) check ;;
    *) echo "usage: perf/obs.sh up|down|check" >&2; exit 2 ;;
esac
