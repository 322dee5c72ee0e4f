package io.wirehub.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.Http;
import io.wirehub.testing.Ids;
import io.wirehub.testing.Load;
import io.wirehub.testing.ResumingClient;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.SteadyRate;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.TestPostgres;
import io.wirehub.testing.TestRedis;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Instance A drains while publishes flow to it and to B (one PostgreSQL schema, one Redis channel),
 * with subscribers on A: half SSE, half WebSocket. A says 503 on {@code /health} from the start of
 * the drain and refuses new streams; every publish it acknowledged is committed and reaches B;
 * its SSE streams end with a jittered {@code retry:} and its WebSockets with 1001; every subscriber
 * reconnects to B with its last id (the test plays the load balancer that stops sending to A once
 * its health fails) and misses nothing, without a duplicate; A is done within {@code drain_timeout}.
 *
 * <p>CI size: 40 subscribers; {@code -Dwirehub.drain.clients=N} for more.
 */
@Load
class DrainWhilePublishingIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);
    private static final long RECONNECT_RETRY_MILLIS = 100;
    private static final int CLIENTS = Integer.getInteger("wirehub.drain.clients", 40);
    private static final int TOPICS = 4;
    private static final String LOCKED = "drain.0"; // the topic whose row the test locks: A's writer waits on it
    private static final int PUBLISHERS = 4; // to A, one per topic
    private static final int B_PUBLISHES_PER_SECOND = 50;
    private static final Duration HEALTH_EVERY = Duration.ofMillis(10);

    @RegisterExtension
    final FreshSchema schema = new FreshSchema();

    @Test
    void aDrainingInstanceHandsItsSubscribersAndEveryAcknowledgedPublishToTheOtherWithoutLossOrDuplicate()
            throws Exception {
        Map<String, String> env = new HashMap<>(schema.env());
        env.putAll(TestRedis.env(TestRedis.channel()));
        env.put("WH_DRAIN_TIMEOUT", DRAIN_TIMEOUT.toSeconds() + "s");
        env.put("WH_RECONNECT_RETRY", RECONNECT_RETRY_MILLIS + "ms");
        env.put("WH_MAX_CONNECTIONS", String.valueOf(2 * CLIENTS + 100));
        List<String> topics =
                IntStream.range(0, TOPICS).mapToObj(t -> "drain." + t).toList();
        WireHub a = TestHubs.start(env);
        List<ResumingClient> clients = new ArrayList<>();
        List<Thread> publishers = new ArrayList<>();
        AtomicBoolean publishing = new AtomicBoolean(true);
        SteadyRate[] toB = new SteadyRate[1];
        try (WireHub b = TestHubs.start(env);
                SseClient onB = SseClient.connect(TestHubs.base(b) + "/v1/sse?topic=" + LOCKED)) {
            AtomicBoolean aOut = new AtomicBoolean(); // the load balancer's view: A's health failed
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(ResumingClient.of(
                                i / TOPICS % 2 == 1,
                                () -> (aOut.get() ? b : a).port(),
                                topics.get(i % TOPICS),
                                nanos -> {})
                        .start());
            }
            Eventually.await(
                    "every subscriber on A, B's own subscriber",
                    WAIT,
                    () -> a.hub().stats().subscribers() == CLIENTS
                            && b.hub().stats().subscribers() == 1);

            Map<String, List<Long>> acknowledged = new ConcurrentHashMap<>();
            for (int i = 0; i < PUBLISHERS; i++) {
                String topic = topics.get(i % TOPICS);
                List<Long> acks =
                        acknowledged.computeIfAbsent(topic, t -> Collections.synchronizedList(new ArrayList<>()));
                publishers.add(Thread.ofVirtual()
                        .name("test-publisher-" + i)
                        .start(() -> publish(a, topic, publishing, acks)));
            }
            toB[0] = SteadyRate.start(
                    "publisher-b",
                    B_PUBLISHES_PER_SECOND,
                    () -> Http.publish(
                            TestHubs.base(b),
                            topics.get(ThreadLocalRandom.current().nextInt(TOPICS)),
                            "b"));
            Eventually.await(
                    "publishes flowing",
                    WAIT,
                    () -> acknowledged.values().stream().mapToInt(List::size).sum() >= 20);

            long drainStarted;
            long drainEnded;
            List<Integer> healthDuringDrain = Collections.synchronizedList(new ArrayList<>());
            try (Connection holder = DriverManager.getConnection(TestPostgres.url(), TestPostgres.user(), "");
                    Statement statement = holder.createStatement()) {
                // The topic's row lock, held by the test: A's writer waits on it, so publishes are in flight.
                holder.setAutoCommit(false);
                statement.execute(
                        "SELECT seq FROM \"" + schema.name() + "\".topics WHERE topic = '" + LOCKED + "' FOR UPDATE");
                Eventually.await(
                        "A's writer waiting for the lock",
                        WAIT,
                        () -> ((Number) TestPostgres.query(
                                                "SELECT count(*) FROM pg_stat_activity WHERE application_name = ? AND wait_event_type = 'Lock'",
                                                "wirehub/" + schema.name()))
                                        .longValue()
                                > 0);
                drainStarted = System.nanoTime();
                Thread closing = Thread.ofVirtual().name("test-close").start(a::close);
                Eventually.await("A draining", WAIT, () -> Http.get(TestHubs.base(a) + "/health")
                        .json()
                        .get("draining")
                        .asBoolean());
                Thread healthWatch =
                        Thread.ofVirtual().name("test-health").start(() -> watchHealth(a, healthDuringDrain));
                aOut.set(true);

                try (SseClient late = SseClient.connect(TestHubs.base(a) + "/v1/sse?topic=" + LOCKED)) {
                    assertEquals(503, late.status(), "a stream asked for while draining is refused");
                    JsonNode error = Http.JSON.readTree(late.errorBody());
                    assertEquals(503, error.get("status").asInt());
                    assertEquals("shutting_down", error.get("error").asText());
                }
                CompletionException refused = assertThrows(CompletionException.class, () -> HttpClient.newHttpClient()
                        .newWebSocketBuilder()
                        .buildAsync(
                                URI.create("ws://127.0.0.1:" + a.port() + "/v1/ws?topic=" + LOCKED),
                                new WebSocket.Listener() {})
                        .join());
                assertEquals(
                        503,
                        ((WebSocketHandshakeException) refused.getCause())
                                .getResponse()
                                .statusCode());

                int beforeRelease = acknowledged.get(LOCKED).size();
                holder.rollback(); // the publishes in flight commit now
                assertTrue(closing.join(DRAIN_TIMEOUT.plusSeconds(5)), "A closed");
                drainEnded = System.nanoTime();
                healthWatch.join();
                assertTrue(
                        acknowledged.get(LOCKED).size() > beforeRelease,
                        "the publishes in flight when the drain began were acknowledged");
            } finally {
                publishing.set(false);
                for (Thread publisher : publishers) {
                    publisher.join();
                }
            }

            Eventually.await(
                    "every subscriber back, on B",
                    WAIT,
                    () -> b.hub().stats().subscribers() == CLIENTS + 1
                            ? null
                            : b.hub().stats().subscribers() - 1 + " of " + CLIENTS);
            toB[0].stop();
            Map<String, Long> last = new HashMap<>();
            for (String topic : topics) {
                last.put(topic, Http.publish(TestHubs.base(b), topic, "last"));
            }
            Eventually.await(
                    "every subscriber has its topic's last event",
                    WAIT,
                    () -> clients.stream().allMatch(c -> c.lastSeq() >= last.get(c.topic()))
                            ? null
                            : clients.stream()
                                            .filter(c -> c.lastSeq() < last.get(c.topic()))
                                            .count() + " behind");

            Map<String, Long> endings = ResumingClient.endings(clients);
            Set<Long> retries = clients.stream()
                    .filter(c -> !c.webSocket())
                    .flatMap(c -> c.endings().stream())
                    .map(how -> Long.parseLong(how.substring("retry: ".length())))
                    .collect(Collectors.toSet());
            int gaps = clients.stream().mapToInt(ResumingClient::gaps).sum();
            int duplicates =
                    clients.stream().mapToInt(ResumingClient::duplicates).sum();
            int resets = clients.stream().mapToInt(ResumingClient::resets).sum();
            long drainMillis = TimeUnit.NANOSECONDS.toMillis(drainEnded - drainStarted);
            System.out.printf(
                    "DrainWhilePublishingIT: %d subscribers on A (half SSE, half WebSocket), %d topics; %d publishes"
                            + " acknowledged by A; A drained in %d ms (drain_timeout %s), /health on A %s during it; streams ended %s,"
                            + " %d distinct SSE retry: values between %d and %d ms; %d events received, %d gaps, %d duplicates,"
                            + " %d resets; refusals %s%n",
                    CLIENTS,
                    TOPICS,
                    acknowledged.values().stream().mapToInt(List::size).sum(),
                    drainMillis,
                    DRAIN_TIMEOUT,
                    healthDuringDrain.stream()
                            .collect(Collectors.groupingBy(s -> s, TreeMap::new, Collectors.counting())),
                    endings,
                    retries.size(),
                    retries.stream().mapToLong(Long::longValue).min().orElse(0),
                    retries.stream().mapToLong(Long::longValue).max().orElse(0),
                    clients.stream().mapToLong(ResumingClient::events).sum(),
                    gaps,
                    duplicates,
                    resets,
                    clients.stream()
                            .flatMap(c -> c.refusals().stream())
                            .distinct()
                            .toList());

            assertTrue(drainMillis < DRAIN_TIMEOUT.toMillis(), "A done within drain_timeout: " + drainMillis + " ms");
            assertTrue(
                    !healthDuringDrain.isEmpty() && healthDuringDrain.stream().allMatch(status -> status == 503),
                    "/health on A 503 throughout the drain: " + healthDuringDrain);
            for (ResumingClient client : clients) {
                // Once by the drain; under load a WebSocket may also have been closed before (as client_gone, close
                // 1000) and come back.
                String expected = client.webSocket() ? "close 1001" : "retry: ";
                assertEquals(
                        1,
                        client.endings().stream()
                                .filter(how -> how.startsWith(expected))
                                .count(),
                        "the drain ended each stream once, as " + expected + ": " + client.endings());
            }
            assertTrue(
                    retries.stream().allMatch(r -> r >= RECONNECT_RETRY_MILLIS && r <= 5 * RECONNECT_RETRY_MILLIS),
                    "retry: between 1 and 5 times server.reconnect_retry: " + retries);
            assertTrue(retries.size() > 1, "retry: jittered, not one value for every stream: " + retries);
            assertEquals(0, gaps, "no gap");
            assertEquals(0, duplicates, "no duplicate");
            assertEquals(0, resets, "no reset");
            for (ResumingClient client : clients) {
                // From seq 1 (the topic's first event) to the last, without a gap: so every seq A acknowledged came.
                assertEquals(1, client.firstSeq(), "a subscriber got its topic's first event");
                long lastAcknowledged = acknowledged.get(client.topic()).stream()
                        .mapToLong(Long::longValue)
                        .max()
                        .orElseThrow();
                assertTrue(client.lastSeq() >= lastAcknowledged, "a subscriber got A's last acknowledged event");
            }
            long lastOfLocked = acknowledged.get(LOCKED).stream()
                    .mapToLong(Long::longValue)
                    .max()
                    .orElseThrow();
            List<Long> received = onB.take((int) lastOfLocked, WAIT).stream()
                    .map(event -> Ids.seq(event.id()))
                    .toList();
            assertEquals(
                    LongStream.rangeClosed(1, lastOfLocked).boxed().toList(),
                    received,
                    "every event of the locked topic, up to A's last acknowledged, reached B's own subscriber live, in order");
        } finally {
            publishing.set(false);
            if (toB[0] != null) {
                toB[0].stop();
            }
            clients.forEach(ResumingClient::stop);
            a.close();
        }
    }

    /** Publishes until told to stop; records the seq of each 201. A refused or unanswered publish is not recorded. */
    private static void publish(WireHub target, String topic, AtomicBoolean publishing, List<Long> acknowledged) {
        while (publishing.get()) {
            try {
                Http.Response response = Http.post(TestHubs.base(target) + "/v1/topics/" + topic + "/events", "x");
                if (response.status() == 201) {
                    acknowledged.add(response.json().get("seq").asLong());
                }
            } catch (UncheckedIOException e) {
                return; // A no longer listens
            }
        }
    }

    /** {@code /health} of a draining instance, every {@link #HEALTH_EVERY} until it no longer listens: each status answered. */
    private static void watchHealth(WireHub draining, List<Integer> statuses) {
        try {
            while (true) {
                statuses.add(Http.get(TestHubs.base(draining) + "/health").status());
                LockSupport.parkNanos(HEALTH_EVERY.toNanos()); // the sampling period, not a wait for a condition
            }
        } catch (UncheckedIOException | IllegalArgumentException e) {
            // stopped listening (refused, or the stopped server's port is -1 already): the drain is over
        }
    }
}
