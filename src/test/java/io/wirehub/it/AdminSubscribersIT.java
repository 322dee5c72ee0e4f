package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.app.WireHub;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Http;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.StalledSseClient;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.WsClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/admin/subscribers?slowest=N} answers "which client is slow". */
class AdminSubscribersIT {
    private static final String PAYLOAD = "x".repeat(8000);

    @SuppressWarnings("try") // the stalled client and the WebSocket are held open, never read: the subscribers to rank
    @Test
    void aStalledClientShowsUpFirstWithItsFullQueueAndOverflows() throws Exception {
        Map<String, String> env =
                Map.of("WH_SSE_CHANNEL_BUFFER", "4", "WH_SOCKET_SEND_BUFFER", "65536", "WH_WRITE_TIMEOUT", "60s");
        try (WireHub hub = TestHubs.start(env);
                SseClient fast = SseClient.connect(TestHubs.base(hub)
                        + "/v1/sse?topic=adm.a&topic=t1&topic=t2&topic=t3&topic=t4&topic=t5&topic=t6");
                StalledSseClient stalled = new StalledSseClient(hub.port(), "/v1/sse?topic=adm.a");
                WsClient ws = WsClient.connect("ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=adm.a")) {
            String base = TestHubs.base(hub);
            Eventually.await(
                    "three subscribers",
                    Duration.ofSeconds(10),
                    () -> hub.hub().stats().subscribers() == 3);
            for (int i = 1; hub.hub().stats().overflows() == 0 && i <= 400; i++) {
                Http.publish(base, "adm.a", i + ":" + PAYLOAD);
                assertNotNull(fast.next(Duration.ofSeconds(2)), "the fast client keeps receiving");
            }
            assertTrue(hub.hub().stats().overflows() > 0, "the stalled client overflowed");

            JsonNode answer = Http.get(base + "/v1/admin/subscribers?slowest=2").json();
            assertEquals(3, answer.get("subscribers_total").asInt());
            assertEquals(2, answer.get("slowest").size(), "at most N");
            JsonNode first = answer.get("slowest").get(0);
            assertEquals("sse", first.get("transport").asText());
            assertEquals("adm.a", first.get("topics").get(0).asText());
            assertEquals(4, first.get("queue_capacity").asInt());
            assertEquals(4, first.get("queue_depth").asInt(), "its queue is full: " + first);
            assertTrue(first.get("overflows").asLong() > 0, "it overflowed: " + first);
            assertTrue(first.get("lagging").asBoolean(), "it waits to catch up: " + first);
            assertTrue(first.get("remote_address").asText().startsWith("127.0.0.1:"), first.toString());
            assertTrue(Instant.parse(first.get("connected_since").asText())
                    .isBefore(Instant.now().plusSeconds(1)));

            JsonNode all =
                    Http.get(base + "/v1/admin/subscribers?slowest=10").json().get("slowest");
            assertEquals(3, all.size());
            JsonNode fastView = null;
            for (JsonNode view : all) {
                if (view.get("topic_count").asInt() == 7) {
                    fastView = view;
                }
            }
            assertNotNull(fastView, "the client of 7 topics is listed: " + all);
            assertEquals(5, fastView.get("topics").size(), "only the first few topics are shown");
            assertEquals(0, fastView.get("overflows").asLong());
        }
    }

    @Test
    void aBadCountIsRefusedWithTheJsonError() {
        try (WireHub hub = TestHubs.start()) {
            for (String bad : new String[] {"0", "-1", "abc", "1001"}) {
                Http.Response response = Http.get(TestHubs.base(hub) + "/v1/admin/subscribers?slowest=" + bad);
                assertEquals(400, response.status(), bad);
                assertEquals("invalid_slowest", response.json().get("error").asText());
            }
            assertEquals(
                    0,
                    Http.get(TestHubs.base(hub) + "/v1/admin/subscribers")
                            .json()
                            .get("slowest")
                            .size());
        }
    }
}
