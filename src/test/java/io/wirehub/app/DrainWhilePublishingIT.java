package io.wirehub.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.Http;
import io.wirehub.testing.Ids;
import io.wirehub.testing.SseClient;
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
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An instance shut down while it takes publishes, next to another that serves the subscribers
 * (PostgreSQL + Redis): what it acknowledged reaches the other instance, and a stream asked of it
 * while it drains is refused rather than opened and cut.
 */
class DrainWhilePublishingIT {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String TOPIC = "drain.flow";
    private static final int PUBLISHERS = 4;

    @RegisterExtension
    final FreshSchema schema = new FreshSchema();

    @Test
    void everyAcknowledgedPublishReachesTheOtherInstanceAndStreamsAskedDuringTheDrainGet503() throws Exception {
        Map<String, String> env = new HashMap<>(schema.env());
        env.putAll(TestRedis.env(TestRedis.channel()));
        env.put("WH_DRAIN_TIMEOUT", "10s");
        WireHub a = TestHubs.start(env);
        try (WireHub b = TestHubs.start(env); SseClient onB = SseClient.connect(TestHubs.base(b) + "/v1/sse?topic=" + TOPIC)) {
            Eventually.await("B's subscriber", WAIT, () -> b.hub().stats().subscribers() == 1);
            List<Long> acknowledged = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean publishing = new AtomicBoolean(true);
            List<Thread> publishers = new ArrayList<>();
            for (int i = 0; i < PUBLISHERS; i++) {
                publishers.add(Thread.ofVirtual().name("test-publisher-" + i).start(() -> publish(a, publishing, acknowledged)));
            }
            Eventually.await("publishes flowing", WAIT, () -> acknowledged.size() >= 20);

            try (Connection holder = DriverManager.getConnection(TestPostgres.url(), TestPostgres.user(), "");
                    Statement statement = holder.createStatement()) {
                // The topic's row lock, held by the test: A's writer waits on it, so publishes are in flight.
                holder.setAutoCommit(false);
                statement.execute("SELECT seq FROM \"" + schema.name() + "\".topics WHERE topic = '" + TOPIC + "' FOR UPDATE");
                Eventually.await("A's writer waiting for the lock", WAIT, () -> ((Number) TestPostgres.query(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = ? AND wait_event_type = 'Lock'",
                        "wirehub/" + schema.name())).longValue() > 0);
                Thread closing = Thread.ofVirtual().name("test-close").start(a::close);
                Eventually.await("A draining", WAIT, () -> Http.get(TestHubs.base(a) + "/health").json().get("draining").asBoolean());

                try (SseClient late = SseClient.connect(TestHubs.base(a) + "/v1/sse?topic=" + TOPIC)) {
                    assertEquals(503, late.status(), "a stream asked for while draining is refused");
                    JsonNode error = Http.JSON.readTree(late.errorBody());
                    assertEquals(503, error.get("status").asInt());
                    assertEquals("shutting_down", error.get("error").asText());
                }
                CompletionException refused = assertThrows(CompletionException.class, () -> HttpClient.newHttpClient()
                        .newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + a.port() + "/v1/ws?topic=" + TOPIC),
                                new WebSocket.Listener() {}).join());
                assertEquals(503, ((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode());

                int beforeRelease = acknowledged.size();
                holder.rollback(); // the publishes in flight commit now
                assertTrue(closing.join(WAIT), "A closed");
                assertTrue(acknowledged.size() > beforeRelease, "the publishes in flight when the drain began were acknowledged");
            } finally {
                publishing.set(false);
                for (Thread publisher : publishers) {
                    publisher.join();
                }
            }

            long last = acknowledged.stream().mapToLong(Long::longValue).max().orElseThrow();
            List<Long> received = onB.take((int) last, WAIT).stream().map(event -> Ids.seq(event.id())).toList();
            assertEquals(LongStream.rangeClosed(1, last).boxed().toList(), received,
                    "every acknowledged event, up to the last, reached B in order");
        } finally {
            a.close();
        }
    }

    /** Publishes until told to stop; records the seq of each 201. A refused or unanswered publish is not recorded. */
    private static void publish(WireHub target, AtomicBoolean publishing, List<Long> acknowledged) {
        while (publishing.get()) {
            try {
                Http.Response response = Http.post(TestHubs.base(target) + "/v1/topics/" + TOPIC + "/events", "x");
                if (response.status() == 201) {
                    acknowledged.add(response.json().get("seq").asLong());
                }
            } catch (UncheckedIOException e) {
                return; // A no longer listens
            }
        }
    }
}
