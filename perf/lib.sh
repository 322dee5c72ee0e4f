# Shared by the perf/*.sh drivers (sourced, not run): find the JDK, build when the jar is stale,
# start one wirehub on a free loopback port, wait until it answers, and always stop it again.
# The caller sets `set -euo pipefail` and PERF_DIR/ROOT before sourcing.

JAVA_OPTS_SERVER=${JAVA_OPTS_SERVER:-}   # extra JVM flags for the server, after SERVER_JVM_FLAGS
JAVA_OPTS_CLIENT=${JAVA_OPTS_CLIENT:-}   # extra JVM flags for the benchmark client
START_TIMEOUT=${START_TIMEOUT:-60}       # seconds to wait for the server to listen and answer /health

die() {
    echo "perf: FAILED: $*" >&2
    exit 1
}

# JDK: the one the Makefile picks (JAVA_HOME, else the newest 21+ in /usr/lib/jvm).
JDK=$(make -s -C "$ROOT" jdk 2>/dev/null) || die "the Makefile found no JDK 21+ (see 'make -C $ROOT jdk')"
JAVA="$JDK/bin/java"
[ -x "$JAVA" ] && [ -x "$JDK/bin/jcmd" ] || die "no java/jcmd in $JDK/bin"
command -v curl >/dev/null || die "curl is needed to read /health and /v1/stats"
# The server's recommended JVM flags, the ones `make run` uses, so benchmarks measure what operators
# run. SERVER_JVM_FLAGS="" runs the JVM's defaults (e.g. to compare); an empty value is kept.
SERVER_JVM_FLAGS=${SERVER_JVM_FLAGS-$(make -s -C "$ROOT" server-jvm-flags)}

# Builds target/wirehub.jar when it is missing or older than any source, the pom or the Makefile.
ensure_built() {
    local jar="$ROOT/target/wirehub.jar"
    if [ ! -f "$jar" ] || [ -n "$(find "$ROOT/src/main" "$ROOT/pom.xml" "$ROOT/Makefile" -newer "$jar" -print -quit)" ]; then
        echo "perf: building $jar"
        make -s -C "$ROOT" build >"$PERF_LOGS/build.log" 2>&1 || { tail -30 "$PERF_LOGS/build.log" >&2; die "make build failed"; }
        touch "$jar" # Maven leaves an unchanged jar as it was: without this, every run would build again
    fi
}

machine_line() {
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)," \
        "$("$JAVA" -version 2>&1 | head -1), ulimit -n $(ulimit -n), $(date -u '+%Y-%m-%d %H:%M UTC')"
}

load_line() {
    echo "load average (1/5/15 min) $1: $(cut -d' ' -f1-3 /proc/loadavg)"
}

SERVER_PID=""
SERVER_PORT=""
SERVER_LOG=""

# start_server NAME [VAR=value ...]: starts wirehub with WH_HOST=127.0.0.1, WH_PORT=0 and the given
# WH_* settings; sets SERVER_PID and SERVER_PORT once the port is printed and /health answers 200.
start_server() {
    local name=$1
    shift
    SERVER_LOG="$PERF_LOGS/server-$name.log"
    : >"$SERVER_LOG" # before the fork: the child opens it for append, and we read it at once
    env WH_HOST=127.0.0.1 WH_PORT=0 "$@" \
        "$JAVA" $SERVER_JVM_FLAGS $JAVA_OPTS_SERVER -jar "$ROOT/target/wirehub.jar" --config "$ROOT/config/application.yaml" \
        >>"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    local deadline=$((SECONDS + START_TIMEOUT))
    SERVER_PORT=""
    while [ -z "$SERVER_PORT" ]; do
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$SERVER_LOG" >&2; SERVER_PID=""; die "the server exited at start-up (log above)"; }
        [ $SECONDS -lt $deadline ] || die "the server printed no port within ${START_TIMEOUT}s (log: $SERVER_LOG)"
        SERVER_PORT=$(sed -n 's/^wirehub listening on http:\/\/[^ ]*:\([0-9][0-9]*\) .*/\1/p' "$SERVER_LOG" | head -1)
        [ -n "$SERVER_PORT" ] || sleep 0.1
    done
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SERVER_PORT/health")" = 200 ]; do
        kill -0 "$SERVER_PID" 2>/dev/null || die "the server exited before /health answered (log: $SERVER_LOG)"
        [ $SECONDS -lt $deadline ] || die "/health did not answer 200 within ${START_TIMEOUT}s (log: $SERVER_LOG)"
        sleep 0.1
    done
    echo "server: pid $SERVER_PID, port $SERVER_PORT, settings: ${*:-defaults}; JVM flags: ${SERVER_JVM_FLAGS:-defaults} $JAVA_OPTS_SERVER"
}

# stop_server [SECONDS]: stops the server started last: SIGTERM (wirehub drains, at most a few
# seconds), then SIGKILL after SECONDS (default 10; a JVM writing an AOT cache as it exits needs more).
stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    local pid=$SERVER_PID seconds=${1:-10}
    SERVER_PID=""
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq $((seconds * 10))); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
        sleep 0.1
    done
    echo "perf: server $pid ignored SIGTERM for ${seconds}s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

CLIENT_PID=""

# Runs a benchmark client (a single-file Java program in perf/) with the JDK's source launcher.
# In the background and waited for, so that a signal to this script is handled at once.
run_client() {
    local program=$1
    shift
    "$JAVA" $JAVA_OPTS_CLIENT "$PERF_DIR/$program.java" "$@" &
    CLIENT_PID=$!
    local rc=0
    wait "$CLIENT_PID" || rc=$?
    CLIENT_PID=""
    return $rc
}

cleanup() {
    if [ -n "$CLIENT_PID" ]; then
        kill -TERM "$CLIENT_PID" 2>/dev/null || true
        wait "$CLIENT_PID" 2>/dev/null || true
    fi
    stop_server
}

# Server logs, one file per run, kept after the run.
PERF_LOGS=${PERF_LOGS:-$ROOT/target/perf-logs/$(date -u +%Y%m%d-%H%M%S)-$$}
mkdir -p "$PERF_LOGS"
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
