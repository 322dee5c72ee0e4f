# Shared by the perf/*.sh drivers (sourced, not run): find the JDK, build when the jar is stale,
# start one wirehub on a free loopback port, wait until it answers, and always stop it again.
# The caller sets `set -euo pipefail` and PERF_DIR/ROOT before sourcing.

JAVA_OPTS_SERVER=${JAVA_OPTS_SERVER:-}   # extra JVM flags for the server, after SERVER_JVM_FLAGS
JAVA_OPTS_CLIENT=${JAVA_OPTS_CLIENT:-}   # extra JVM flags for the benchmark client
START_TIMEOUT=${START_TIMEOUT:-60}       # seconds to wait for the server to listen and answer /health
START_ATTEMPTS=${START_ATTEMPTS:-1}     # starts to try when the server exits at start-up (a PostgreSQL
                                        # store's 2 s connection timeout can expire on a starved machine)

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

# The server under test: WIREHUB_JAR=path/to/wirehub.jar runs a given build (say, main's before a
# change) as it is; by default target/wirehub.jar, rebuilt when stale. Its libraries are found next
# to it (target/libs/), as `make build` lays them out.
WIREHUB_JAR_GIVEN=${WIREHUB_JAR:+yes}
# SERVER_LAUNCHER=target/wirehub/bin/wirehub starts the server through the distribution's launcher
# (make dist-dir) instead: its own JVM and flags, JAVA_OPTS_SERVER passed as WH_JAVA_OPTS.
SERVER_LAUNCHER=${SERVER_LAUNCHER:-}
WIREHUB_JAR=${WIREHUB_JAR:-$ROOT/target/wirehub.jar}

# Builds target/wirehub.jar when it is missing or older than any source, the pom or the Makefile.
ensure_built() {
    if [ -n "$WIREHUB_JAR_GIVEN" ]; then
        [ -f "$WIREHUB_JAR" ] || die "WIREHUB_JAR=$WIREHUB_JAR does not exist"
        echo "perf: using the given jar $WIREHUB_JAR (not rebuilt)"
        return 0
    fi
    local jar="$ROOT/target/wirehub.jar"
    if [ ! -f "$jar" ] || [ -n "$(find "$ROOT/src/main" "$ROOT/pom.xml" "$ROOT/Makefile" -newer "$jar" -print -quit)" ]; then
        echo "perf: building $jar"
        make -s -C "$ROOT" build >"$PERF_LOGS/build.log" 2>&1 || { tail -30 "$PERF_LOGS/build.log" >&2; die "make build failed"; }
        touch "$jar" # Maven leaves an up-to-date jar as it was: without this, a newer Makefile rebuilds every run
    fi
}

machine_line() {
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)," \
        "$("$JAVA" -version 2>&1 | head -1), ulimit -n $(ulimit -n), $(date -u '+%Y-%m-%d %H:%M UTC')"
}

# begin_results VAR...: the LoadGen drivers' preamble: RESULTS_DIR made, LoadGen compiled, and
# machine.txt started with the machine, the command (the named knobs and their values) and, when
# one was given, the wirehub jar.
begin_results() {
    mkdir -p "$RESULTS_DIR"
    compile_client LoadGen
    machine_line | tee "$RESULTS_DIR/machine.txt"
    echo "command: $(for v in "$@"; do printf '%s="%s" ' "$v" "${!v}"; done)$0" | tee -a "$RESULTS_DIR/machine.txt"
    [ -z "${WIREHUB_JAR_GIVEN:-}" ] || echo "wirehub jar: $WIREHUB_JAR" | tee -a "$RESULTS_DIR/machine.txt"
}

load_line() {
    echo "load average (1/5/15 min) $1: $(cut -d' ' -f1-3 /proc/loadavg)"
}

SERVER_PID=""
SERVER_PORT=""
SERVER_LOG=""

# start_server NAME [VAR=value ...]: starts wirehub with WH_HOST=127.0.0.1, WH_PORT=0 and the given
# WH_* settings; sets SERVER_PID and SERVER_PORT once the port is printed and /health answers 200.
# A server that exits at start-up is started again, up to START_ATTEMPTS times in all.
start_server() {
    local attempt
    for attempt in $(seq "$START_ATTEMPTS"); do
        if start_server_once "$@"; then
            return 0
        fi
        echo "perf: the server exited at start-up (attempt $attempt of $START_ATTEMPTS):" >&2
        cat "$SERVER_LOG" >&2
    done
    die "the server exited at start-up $START_ATTEMPTS time(s) (log: $SERVER_LOG)"
}

# One start; returns 1 if the server exits before it listens (other failures end the run).
start_server_once() {
    local name=$1
    shift
    SERVER_LOG="$PERF_LOGS/server-$name.log"
    : >"$SERVER_LOG" # before the fork: the child opens it for append, and we read it at once
    if [ -n "$SERVER_LAUNCHER" ]; then # it exec's the JVM: $! is the server's pid
        env WH_HOST=127.0.0.1 WH_PORT=0 "$@" JAVA_HOME="$JDK" WH_JAVA_OPTS="$JAVA_OPTS_SERVER" \
            "$SERVER_LAUNCHER" --config "$ROOT/config/application.yaml" >>"$SERVER_LOG" 2>&1 &
    else
        env WH_HOST=127.0.0.1 WH_PORT=0 "$@" \
            "$JAVA" $SERVER_JVM_FLAGS $JAVA_OPTS_SERVER -jar "$WIREHUB_JAR" --config "$ROOT/config/application.yaml" \
            >>"$SERVER_LOG" 2>&1 &
    fi
    SERVER_PID=$!
    local deadline=$((SECONDS + START_TIMEOUT))
    SERVER_PORT=""
    while [ -z "$SERVER_PORT" ]; do
        kill -0 "$SERVER_PID" 2>/dev/null || { wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; return 1; }
        [ $SECONDS -lt $deadline ] || die "the server printed no port within ${START_TIMEOUT}s (log: $SERVER_LOG)"
        SERVER_PORT=$(sed -n 's/^wirehub listening on http:\/\/[^ ]*:\([0-9][0-9]*\) .*/\1/p' "$SERVER_LOG" | head -1)
        [ -n "$SERVER_PORT" ] || sleep 0.1
    done
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SERVER_PORT/health")" = 200 ]; do
        kill -0 "$SERVER_PID" 2>/dev/null || die "the server exited before /health answered (log: $SERVER_LOG)"
        [ $SECONDS -lt $deadline ] || die "/health did not answer 200 within ${START_TIMEOUT}s (log: $SERVER_LOG)"
        sleep 0.1
    done
    echo "server: pid $SERVER_PID, port $SERVER_PORT, settings: ${*:-defaults}; JVM flags:" \
        "$(if [ -n "$SERVER_LAUNCHER" ]; then tr '\0' ' ' </proc/"$SERVER_PID"/cmdline; else echo "${SERVER_JVM_FLAGS:-defaults} $JAVA_OPTS_SERVER"; fi)"
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

# A free TCP port on 127.0.0.1 (for servers that cannot pick their own, like nginx): below the
# kernel's ephemeral range, where 20,000 client sockets of a benchmark would otherwise land, and
# used by no socket in any state.
free_port() {
    local p low
    low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)
    [ "$low" -gt 2024 ] || die "the ephemeral port range starts at $low: no room below it for a server port"
    for _ in $(seq 200); do
        p=$((1024 + (low > 11000 ? 9000 : 0) + RANDOM % (low - (low > 11000 ? 10024 : 1024))))
        [ -z "$(ss -Htan "sport = :$p")" ] && { echo "$p"; return 0; }
    done
    die "found no free port"
}

NCHAN_MODULE=${NCHAN_MODULE:-/usr/lib/nginx/modules/ngx_nchan_module.so}
NGINX=${NGINX:-/usr/sbin/nginx}
NCHAN_MASTER=""
NCHAN_DIR=""

# Fails with how to install nginx and nchan when either is missing.
need_nchan() {
    if [ ! -x "$NGINX" ] || [ ! -f "$NCHAN_MODULE" ]; then
        die "nchan is the peer here and is not installed (looked for $NGINX and $NCHAN_MODULE).
      Install it: sudo apt-get install nginx-light libnginx-mod-nchan
      (or point NGINX= and NCHAN_MODULE= at yours). The script runs its own nginx from perf/nchan.conf
      on 127.0.0.1 as this user; the system's nginx service can stay stopped: systemctl disable --now nginx"
    fi
}

# start_nchan NAME: a fresh nginx with nchan from perf/nchan.conf, one worker, on a free loopback
# port, every file under a temp dir. Sets SERVER_PID to the worker (whose CPU and RSS count) and
# SERVER_PORT; NCHAN_MASTER is the master that stop_nchan stops.
start_nchan() {
    local name=$1
    need_nchan
    NCHAN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/wirehub-nchan.XXXXXX")
    SERVER_PORT=$(free_port)
    SERVER_LOG="$PERF_LOGS/nchan-$name.log"
    local module="load_module $NCHAN_MODULE;"
    # Debian loads the module for the system's nginx through /etc/nginx/modules-enabled; this config
    # is read instead of /etc/nginx/nginx.conf, so it loads the module itself.
    sed -e "s#@DIR@#$NCHAN_DIR#g; s#@PORT@#$SERVER_PORT#g; s#@MODULE@#$module#" "$PERF_DIR/nchan.conf" >"$NCHAN_DIR/nginx.conf"
    "$NGINX" -e "$NCHAN_DIR/error.log" -p "$NCHAN_DIR" -c "$NCHAN_DIR/nginx.conf" >"$SERVER_LOG" 2>&1 &
    NCHAN_MASTER=$!
    local deadline=$((SECONDS + START_TIMEOUT))
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SERVER_PORT/nchan_status")" = 200 ]; do
        kill -0 "$NCHAN_MASTER" 2>/dev/null || { cat "$SERVER_LOG" "$NCHAN_DIR/error.log" >&2; NCHAN_MASTER=""; die "nginx exited at start-up (log above)"; }
        [ $SECONDS -lt $deadline ] || die "nchan did not answer within ${START_TIMEOUT}s (log: $NCHAN_DIR/error.log)"
        sleep 0.1
    done
    SERVER_PID=$(pgrep -P "$NCHAN_MASTER" | head -1)
    [ -n "$SERVER_PID" ] || die "nginx $NCHAN_MASTER has no worker"
    echo "nchan: worker pid $SERVER_PID, port $SERVER_PORT ($("$NGINX" -v 2>&1 | sed 's/.*: //'), one worker)"
}

# Stops the nginx started last (SIGTERM: fast shutdown, open streams are cut) and removes its dir.
stop_nchan() {
    [ -n "$NCHAN_MASTER" ] || return 0
    local pid=$NCHAN_MASTER
    NCHAN_MASTER=""
    SERVER_PID=""
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    [ -f "$NCHAN_DIR/error.log" ] && cp "$NCHAN_DIR/error.log" "$PERF_LOGS/" 2>/dev/null
    rm -rf "$NCHAN_DIR"
}

CLIENT_PID=""

# Compiles a client once per run (compile_client NAME), so that run_client does not spend a
# second of CPU compiling it again for every case.
compile_client() {
    mkdir -p "$PERF_LOGS/classes"
    "$JDK/bin/javac" -nowarn -d "$PERF_LOGS/classes" "$PERF_DIR/$1.java" || die "javac $1.java failed"
}

# Runs a benchmark client (a single-file Java program in perf/): compiled by compile_client, else
# with the JDK's source launcher. In the background and waited for, so that a signal to this
# script is handled at once.
run_client() {
    local program=$1
    shift
    if [ -f "$PERF_LOGS/classes/$program.class" ]; then
        "$JAVA" $JAVA_OPTS_CLIENT -cp "$PERF_LOGS/classes" "$program" "$@" &
    else
        "$JAVA" $JAVA_OPTS_CLIENT "$PERF_DIR/$program.java" "$@" &
    fi
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
    stop_nchan
    stop_server
}

# Server logs, one file per run, kept after the run.
PERF_LOGS=${PERF_LOGS:-$ROOT/target/perf-logs/$(date -u +%Y%m%d-%H%M%S)-$$}
mkdir -p "$PERF_LOGS"
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
