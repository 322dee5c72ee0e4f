package io.wirehub.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.Http;
import io.wirehub.testing.Ids;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.SseClient.SseEvent;
import io.wirehub.testing.TcpProxy;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.TestPostgres;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Real wirehub servers on PostgreSQL, driven over HTTP and SSE as clients do. */
class PostgresHubIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final FreshSchema schema = new FreshSchema();

    @Test
    void aPublishedEventIsAcknowledgedAndShowsInTheSnapshot() {
        try (WireHub hub = TestHubs.start(schema.env())) {
            String base = TestHubs.base(hub);

            Http.Response published = Http.post(base + "/v1/topics/snap/events", "hello postgres");

            assertEquals(201, published.status(), published.body());
            assertEquals(1, published.json().get("seq").asLong());
            JsonNode snapshot = Http.get(base + "/v1/topics/snap/snapshot").json();
            assertEquals(1, snapshot.get("seq").asLong());
            assertEquals(
                    "hello postgres", snapshot.get("events").get(0).get("data").asText());
        }
    }

    @Test
    void anSseReconnectWithLastEventIdReplaysFromPostgresOnAnotherInstance() throws Exception {
        // Two instances, each with its own local bus: the second sees the first's events only in PostgreSQL.
        try (WireHub first = TestHubs.start(schema.env());
                WireHub second = TestHubs.start(schema.env())) {
            for (int i = 1; i <= 5; i++) {
                Http.publish(TestHubs.base(first), "replay", "m" + i);
            }

            try (SseClient stream = SseClient.connect(TestHubs.base(second) + "/v1/sse?topic=replay", "2")) {
                assertEquals(200, stream.status());
                List<SseEvent> replayed = stream.take(3, WAIT);
                assertEquals(
                        List.of("3", "4", "5"),
                        replayed.stream().map(event -> Ids.position(event.id())).toList());
                assertEquals(
                        first.store().epoch(),
                        Ids.epoch(replayed.getFirst().id()),
                        "instances on one schema share its epoch: an id of either resumes on the other");
                assertEquals(
                        List.of("m3", "m4", "m5"),
                        replayed.stream().map(SseEvent::data).toList());

                Http.publish(TestHubs.base(second), "replay", "m6");
                SseEvent live = stream.take(1, WAIT).getFirst();
                assertEquals(List.of("6", "m6"), List.of(Ids.position(live.id()), live.data()));
            }
        }
    }

    @Test
    void publishingWhilePostgresIsCutOffAnswers503AndTheServerRecoversByItself() {
        try (TcpProxy network = new TcpProxy("127.0.0.1", TestPostgres.port())) {
            Map<String, String> env = new HashMap<>(schema.env());
            env.put("WH_STORE_POSTGRES_URL", TestPostgres.urlOnPort(network.port()));
            try (WireHub hub = TestHubs.start(env)) {
                String base = TestHubs.base(hub);
                assertEquals(1, Http.publish(base, "outage", "before"));

                network.cut();
                Http.Response refused = Http.post(base + "/v1/topics/outage/events", "during");
                assertEquals(503, refused.status(), refused.body());
                assertEquals("store_unavailable", refused.json().get("error").asText());
                Http.Response health = Http.get(base + "/health");
                assertEquals(503, health.status());
                assertEquals("DOWN", health.json().get("store").asText());

                network.restore();
                Eventually.await(
                        "/health answering 200",
                        WAIT,
                        () -> Http.get(base + "/health").status() == 200);
                assertEquals(2, Http.publish(base, "outage", "after"), "the refused publish took no seq");
            }
        }
    }
}
