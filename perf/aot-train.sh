#!/usr/bin/env bash
# Trains the JDK's ahead-of-time cache for the server (`make aot`): starts wirehub with
# -XX:AOTCacheOutput, runs a short load through it (perf/ColdStartBench.java: SSE streams and
# publishes), stops it with SIGTERM, and the JVM writes the cache as it exits. `make run` and the
# perf/coldstart.sh then start with -XX:AOTCache when the cache is newer than target/wirehub.jar.
# Knobs (environment): KIND=aot (or cds: a dynamic AppCDS archive, -XX:ArchiveClassesAtExit, for
# comparison) OUT=target/wirehub.aot (target/wirehub.jsa for cds) TRAIN_SECONDS=10 SERVER_JVM_FLAGS PERF_LOGS
set -euo pipefail
PERF_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$PERF_DIR")
KIND=${KIND:-aot}
TRAIN_SECONDS=${TRAIN_SECONDS:-10}
case "$KIND" in
    aot) OUT=${OUT:-$ROOT/target/wirehub.aot}; TRAIN_FLAG="-XX:AOTCacheOutput=$OUT" ;;
    cds) OUT=${OUT:-$ROOT/target/wirehub.jsa}; TRAIN_FLAG="-XX:ArchiveClassesAtExit=$OUT" ;;
    *) echo "KIND must be aot or cds" >&2; exit 2 ;;
esac
source "$PERF_DIR/lib.sh"

ensure_built
rm -f "$OUT"
JAVA_OPTS_SERVER="$JAVA_OPTS_SERVER $TRAIN_FLAG"
start_server "train-$KIND"
run_client ColdStartBench --port "$SERVER_PORT" --seconds "$TRAIN_SECONDS" >"$PERF_LOGS/train-$KIND-client.log" ||
    die "the training load failed (log: $PERF_LOGS/train-$KIND-client.log)"
pid=$SERVER_PID
# SIGTERM: the JVM exits normally and writes the cache; for AOT it starts a second JVM that
# assembles it, which takes a minute or more on a busy machine.
stop_server 600
[ -s "$OUT" ] || die "no $OUT after the training run (server log: $SERVER_LOG)"
echo "perf: $KIND cache $OUT ($(du -h "$OUT" | cut -f1)), trained by ${TRAIN_SECONDS}s of SSE + publishes on pid $pid; flags: $SERVER_JVM_FLAGS"
