#!/usr/bin/env bash
# `make image-test`: runs the image IMAGE as an operator would and checks what they rely on.
#   - read-only root file system, not root, configured by a mounted YAML plus WH_* variables;
#   - /health on the management port, and the image's HEALTHCHECK passes;
#   - an SSE stream and a publish through the published port, with a JWT;
#   - podman stop: SIGTERM reaches the JVM, server.shutdown_delay passes, the stream gets the
#     drain's retry: hint, the drain ends within server.drain_timeout and the container exits 0
#     (not 143, not 137 after a SIGKILL);
#   - with PostgreSQL and Redis on 127.0.0.1 (host network): the image's cut-down Java runtime
#     carries JDBC and Jedis, a publish is stored and read back, and it stops with exit 0;
#   - the image's size stays under IMAGE_MAX_MB.
# Prints the image size and the start time (container created -> /health 200).
# Environment: IMAGE (make image-test sets it), IMAGE_MAX_MB=100, START_TIMEOUT=60.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/image/podman.sh"
: "${IMAGE:?}"
IMAGE_MAX_MB=${IMAGE_MAX_MB:-100}
START_TIMEOUT=${START_TIMEOUT:-60}
DRAIN_TIMEOUT_S=5
SHUTDOWN_DELAY_S=1
NAME=wirehub-image-test-$$       # the container the checks below look at (logs on failure)
NAMES="$NAME $NAME-pg"          # every container this run may start
SCHEMA=wirehub_image_test_$$
WORK=$(mktemp -d)
cleanup() {
    [ -z "${CURL_PID:-}" ] || kill "$CURL_PID" 2>/dev/null || true
    podman rm -f -t 0 $NAMES >/dev/null 2>&1 || true
    psql -q -h 127.0.0.1 -U postgres -d test -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
fail() {
    echo "image-test: FAILED: $*" >&2
    podman logs "$NAME" 2>&1 | tail -20 | sed 's/^/  container: /' >&2 || true
    exit 1
}

size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
size_mb=$((size / 1000000))
[ "$size_mb" -le "$IMAGE_MAX_MB" ] || fail "the image is $size_mb MB, over IMAGE_MAX_MB=$IMAGE_MAX_MB"

# A mounted YAML (one instance, in memory) and a secret from the environment.
cat >"$WORK/wirehub.yaml" <<YAML
server:
  host: 0.0.0.0
  management_port: 9090
  shutdown_delay: ${SHUTDOWN_DELAY_S}s
  drain_timeout: ${DRAIN_TIMEOUT_S}s
store:
  type: memory
bus:
  type: local
auth:
  mode: jwt
YAML
chmod 644 "$WORK/wirehub.yaml"
secret=$(openssl rand -base64 48)

started=$(date +%s%N)
# Health checks run by a systemd timer, which this machine has not: its error lines are dropped,
# and the check is run once below with `podman healthcheck run`.
podman run -d --name "$NAME" --read-only -p 127.0.0.1::8080 -p 127.0.0.1::9090 \
    -v "$WORK/wirehub.yaml:/etc/wirehub/wirehub.yaml:ro" -e WH_AUTH_JWT_SECRET="$secret" \
    "$IMAGE" --config /etc/wirehub/wirehub.yaml >/dev/null 2>"$WORK/run.err" || fail "podman run: $(cat "$WORK/run.err")"
port=$(podman port "$NAME" 8080/tcp | sed 's/.*://')
management=$(podman port "$NAME" 9090/tcp | sed 's/.*://')
until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$management/health")" = 200 ]; do
    [ "$(podman inspect -f '{{.State.Running}}' "$NAME")" = true ] || fail "the container stopped at start-up"
    [ $(( ($(date +%s%N) - started) / 1000000000 )) -lt "$START_TIMEOUT" ] || fail "/health did not answer 200 within ${START_TIMEOUT}s"
    sleep 0.05
done
start_ms=$(( ($(date +%s%N) - started) / 1000000 ))

podman healthcheck run "$NAME" >/dev/null 2>&1 || fail "the image's HEALTHCHECK failed"
[ "$(podman exec "$NAME" id -u)" = 10001 ] || fail "the server does not run as uid 10001"
! podman exec "$NAME" touch /opt/wirehub/written 2>/dev/null || fail "the root file system is writable"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/topics/prices/snapshot")" = 401 ] ||
    fail "the public port answered without a token"

b64() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
header=$(printf '{"alg":"HS256","typ":"JWT"}' | b64)
payload=$(printf '{"sub":"image-test","exp":%d,"wirehub.subscribe":["prices"],"wirehub.publish":["prices"]}' \
    $(($(date +%s) + 600)) | b64)
token="$header.$payload.$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -hmac "$secret" -binary | b64)"

curl -sN -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/sse?topic=prices" >"$WORK/stream" &
CURL_PID=$!
for _ in $(seq 100); do grep -q '^retry:' "$WORK/stream" && break; sleep 0.1; done
grep -q '^retry:' "$WORK/stream" || fail "the SSE stream did not open"
answer=$(curl -s -H "Authorization: Bearer $token" -d '{"price":101}' "http://127.0.0.1:$port/v1/topics/prices/events")
[ "$answer" = '{"topic":"prices","seq":1}' ] || fail "the publish answered '$answer'"
for _ in $(seq 100); do grep -q '^data: {"price":101}' "$WORK/stream" && break; sleep 0.1; done
grep -q '^data: {"price":101}' "$WORK/stream" || fail "the subscriber did not get the event: $(cat "$WORK/stream")"

stop_started=$(date +%s%N)
podman stop -t 60 "$NAME" >/dev/null 2>&1 # far above delay + drain: a SIGKILL would show as 137
stop_ms=$(( ($(date +%s%N) - stop_started) / 1000000 ))
exit_code=$(podman inspect -f '{{.State.ExitCode}}' "$NAME")
wait "$CURL_PID" 2>/dev/null || true
CURL_PID=
logs=$(podman logs "$NAME" 2>&1)
[ "$exit_code" = 0 ] || fail "the container exited $exit_code after podman stop (0 expected: a clean drain)"
grep -q 'wirehub: SIGTERM: draining (1 stream(s) open' <<<"$logs" || fail "no drain line for the one open stream"
drained_ms=$(sed -n 's/^wirehub: drained in \([0-9]*\) ms: 1 stream(s) ended.*/\1/p' <<<"$logs")
[ -n "$drained_ms" ] || fail "the drain did not end the stream"
[ "$drained_ms" -le $((DRAIN_TIMEOUT_S * 1000)) ] || fail "the drain took $drained_ms ms, over drain_timeout ${DRAIN_TIMEOUT_S}s"
[ "$(sed -n '/^data: {"price":101}/,$p' "$WORK/stream" | grep -c '^retry:')" -ge 1 ] ||
    fail "the stream got no retry: hint from the drain: $(cat "$WORK/stream")"
grep -q "wirehub: SIGTERM: /health answers 503 for $((SHUTDOWN_DELAY_S * 1000)) ms" <<<"$logs" || fail "no shutdown_delay line"
[ "$stop_ms" -le $(((SHUTDOWN_DELAY_S + DRAIN_TIMEOUT_S + 5) * 1000)) ] ||
    fail "podman stop took $stop_ms ms, more than shutdown_delay + drain_timeout + 5 s"

# PostgreSQL and Redis: production.yaml as it ships, the host's services, a schema of its own.
pg() { psql -h 127.0.0.1 -U postgres -d test -tA -c "$1" 2>/dev/null; }
[ "$(pg 'select 1')" = 1 ] && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 ||
    fail "PostgreSQL (127.0.0.1:5432, db test, trust) and Redis (127.0.0.1:6379) must answer for the store and bus check"
podman run -d --name "$NAME-pg" --read-only --network host -e WH_HOST=127.0.0.1 -e WH_PORT=0 -e WH_MANAGEMENT_PORT=-1 \
    -e WH_STORE_POSTGRES_URL=jdbc:postgresql://127.0.0.1:5432/test -e WH_STORE_POSTGRES_SCHEMA="$SCHEMA" \
    -e WH_BUS_REDIS_URL=redis://127.0.0.1:6379 -e WH_BUS_REDIS_CHANNEL="$SCHEMA" -e WH_SHUTDOWN_DELAY=0s \
    -e WH_AUTH_JWT_SECRET="$secret" "$IMAGE" >/dev/null 2>"$WORK/run.err" || fail "podman run (PostgreSQL): $(cat "$WORK/run.err")"
NAME=$NAME-pg
pg_port=
until [ -n "$pg_port" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$pg_port/health")" = 200 ]; do
    pg_port=$(podman logs "$NAME" 2>/dev/null | sed -n 's/^wirehub listening on http:\/\/[^ ]*:\([0-9][0-9]*\) .*/\1/p' | head -1)
    [ "$(podman inspect -f '{{.State.Running}}' "$NAME")" = true ] || fail "the container on PostgreSQL stopped at start-up"
    [ $(( ($(date +%s%N) - started) / 1000000000 )) -lt $((START_TIMEOUT * 2)) ] || fail "/health on PostgreSQL did not answer 200"
    sleep 0.1
done
answer=$(curl -s -H "Authorization: Bearer $token" -d '{"price":102}' "http://127.0.0.1:$pg_port/v1/topics/prices/events")
[ "$answer" = '{"topic":"prices","seq":1}' ] || fail "the publish to PostgreSQL answered '$answer'"
snapshot=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$pg_port/v1/topics/prices/snapshot")
grep -q '"price":102' <<<"$snapshot" || fail "the event did not come back from PostgreSQL: $snapshot"
grep -q 'bus":"UP"' <<<"$(curl -s "http://127.0.0.1:$pg_port/health")" || fail "the Redis bus is not up"
podman stop -t 60 "$NAME" >/dev/null 2>&1
[ "$(podman inspect -f "{{.State.ExitCode}}" "$NAME")" = 0 ] ||
    fail "the container on PostgreSQL exited $(podman inspect -f '{{.State.ExitCode}}' "$NAME")"
echo "image-test: ok: $IMAGE, $(awk -v s="$size" 'BEGIN {printf "%.1f MB", s / 1e6}'), /health 200 ${start_ms} ms after podman run," \
    "podman stop ${stop_ms} ms (shutdown_delay ${SHUTDOWN_DELAY_S} s, drain ${drained_ms} ms, exit 0); on PostgreSQL + Redis: stored, read back, exit 0"
