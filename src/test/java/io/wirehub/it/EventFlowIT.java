package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.app.WireHub;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Http;
import io.wirehub.testing.Ids;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.SseClient.SseEvent;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.WsClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Publish over HTTP, receive over SSE and WebSocket: the basic path of an event. */
class EventFlowIT {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static WireHub hub;
    private static String base;
    private static String ws;

    @BeforeAll
    static void start() {
        hub = TestHubs.start();
        base = TestHubs.base(hub);
        ws = "ws://127.0.0.1:" + hub.port();
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @Test
    void sseAndWebSocketSubscribersReceiveEventsInSeqOrder() throws Exception {
        try (SseClient sse = SseClient.connect(base + "/v1/sse?topic=flow.order");
                WsClient socket = WsClient.connect(ws + "/v1/ws?topic=flow.order")) {
            awaitSubscribers(2);
            for (int i = 1; i <= 20; i++) {
                assertEquals(i, Http.publish(base, "flow.order", "{\"n\":" + i + "}"));
            }
            List<SseEvent> events = sse.take(20, WAIT);
            List<JsonNode> messages = socket.take(20, WAIT);
            for (int i = 0; i < 20; i++) {
                assertEquals(String.valueOf(i + 1), Ids.position(events.get(i).id()));
                assertEquals("{\"n\":" + (i + 1) + "}", events.get(i).data());
                JsonNode message = messages.get(i);
                assertEquals("flow.order", message.get("topic").asText());
                assertEquals(i + 1, message.get("seq").asLong());
                assertEquals(
                        "flow.order:" + (i + 1),
                        Ids.position(message.get("id").asText()),
                        "a WebSocket id names its topic");
                assertEquals(i + 1, message.get("data").get("n").asInt(), "JSON data is embedded as JSON");
            }
        }
    }

    @Test
    void multiLineDataRoundTripsAndEventNameIsSent() throws Exception {
        try (SseClient sse = SseClient.connect(base + "/v1/sse?topic=flow.lines");
                WsClient socket = WsClient.connect(ws + "/v1/ws?topic=flow.lines")) {
            awaitSubscribers(2);
            String data = "first line\nsecond line\r\nthird\rfourth\n\n  indented";
            Http.Response response = Http.post(base + "/v1/topics/flow.lines/events?event=note", data);
            assertEquals(201, response.status());
            SseEvent event = sse.take(1, WAIT).getFirst();
            assertEquals("note", event.event());
            assertEquals(
                    "first line\nsecond line\nthird\nfourth\n\n  indented",
                    event.data(),
                    "EventSource joins data lines with LF");
            JsonNode message = socket.take(1, WAIT).getFirst();
            assertEquals("note", message.get("event").asText());
            assertEquals(data, message.get("data").asText(), "text data is sent as a JSON string, unchanged");
        }
    }

    @Test
    void multiTopicStreamCarriesACursorNamingEveryTopic() throws Exception {
        try (SseClient sse = SseClient.connect(base + "/v1/sse?topic=flow.b&topic=flow.a")) {
            awaitSubscribers(1);
            Http.publish(base, "flow.a", "a1");
            Http.publish(base, "flow.b", "b1");
            Http.publish(base, "flow.a", "a2");
            List<SseEvent> events = sse.take(3, WAIT);
            assertEquals(
                    List.of("a1", "b1", "a2"),
                    events.stream().map(SseEvent::data).toList());
            assertEquals("flow.a:1,flow.b:0", Ids.position(events.get(0).id()));
            assertEquals("flow.a:1,flow.b:1", Ids.position(events.get(1).id()));
            assertEquals("flow.a:2,flow.b:1", Ids.position(events.get(2).id()));
        }
    }

    @Test
    void batchIsStoredInOrderAndDelivered() throws Exception {
        try (SseClient sse = SseClient.connect(base + "/v1/sse?topic=flow.batch")) {
            awaitSubscribers(1);
            Http.Response response = Http.post(
                    base + "/v1/events",
                    "[{\"topic\":\"flow.batch\",\"data\":{\"k\":1}},{\"topic\":\"flow.batch\",\"event\":\"x\",\"data\":\"two\"},"
                            + "{\"topic\":\"flow.other\",\"data\":[1,2]}]");
            assertEquals(201, response.status(), response.body());
            JsonNode acks = response.json().get("events");
            assertEquals(3, acks.size());
            assertEquals(1, acks.get(0).get("seq").asLong());
            assertEquals(2, acks.get(1).get("seq").asLong());
            assertEquals("flow.other", acks.get(2).get("topic").asText());
            List<SseEvent> events = sse.take(2, WAIT);
            assertEquals("{\"k\":1}", events.get(0).data());
            assertEquals("x", events.get(1).event());
            assertEquals("two", events.get(1).data());
        }
    }

    @Test
    void batchDataIsStoredExactlyAsSent() {
        String number = "0.12345678901234567890123";
        String object = "{\"big\": 1e400, \"n\": 12345678901234567.5}";
        Http.Response response = Http.post(
                base + "/v1/events",
                "[{\"topic\":\"flow.exact\",\"data\":" + number + "}," + "{\"topic\":\"flow.exact\",\"data\":" + object
                        + "},{\"topic\":\"flow.exact\",\"data\":true}]");
        assertEquals(201, response.status(), response.body());
        String snapshot = Http.get(base + "/v1/topics/flow.exact/snapshot").body();
        assertTrue(snapshot.contains("\"data\":" + number + "}"), snapshot);
        assertTrue(snapshot.contains("\"data\":" + object + "}"), snapshot);
        assertTrue(snapshot.contains("\"data\":true}"), snapshot);
    }

    @Test
    void webSocketClientSubscribesAndUnsubscribesAtRunTime() throws Exception {
        try (WsClient socket = WsClient.connect(ws + "/v1/ws?topic=flow.ws1")) {
            awaitSubscribers(1);
            socket.send("{\"op\":\"subscribe\",\"topic\":\"flow.ws2\"}");
            awaitActiveTopic("flow.ws2");
            Http.publish(base, "flow.ws2", "hello");
            JsonNode message = socket.take(1, WAIT).getFirst();
            assertEquals("flow.ws2", message.get("topic").asText());
            assertEquals("flow.ws1:0,flow.ws2:1", Ids.position(message.get("id").asText()));

            socket.send("{\"op\":\"unsubscribe\",\"topic\":\"flow.ws2\"}");
            socket.send("{\"op\":\"jump\"}");
            JsonNode error = socket.take(1, WAIT).getFirst();
            assertEquals("error", error.get("op").asText(), "an unknown op is answered with an error message");
            Http.publish(base, "flow.ws2", "not for you");
            Http.publish(base, "flow.ws1", "for you");
            JsonNode next = socket.take(1, WAIT).getFirst();
            assertEquals("flow.ws1", next.get("topic").asText());
            assertNull(socket.next(Duration.ofMillis(200)));
        }
    }

    @Test
    void snapshotReturnsLatestSeqAndLastEvents() {
        for (int i = 1; i <= 5; i++) {
            Http.publish(base, "flow.snap", "{\"i\":" + i + "}");
        }
        JsonNode snapshot =
                Http.get(base + "/v1/topics/flow.snap/snapshot?limit=2").json();
        assertEquals(5, snapshot.get("seq").asLong());
        assertEquals(2, snapshot.get("events").size());
        assertEquals(4, snapshot.get("events").get(0).get("seq").asLong());
        assertEquals(5, snapshot.get("events").get(1).get("data").get("i").asInt());
    }

    @Test
    void healthAndStatsAnswer() {
        assertEquals(200, Http.get(base + "/health").status());
        assertEquals(200, Http.get(base + "/health/live").status());
        JsonNode stats = Http.stats(base);
        assertEquals(64, stats.get("queue_capacity").get("sse").asInt());
        assertTrue(stats.has("overflows") && stats.has("catch_ups") && stats.has("resets") && stats.has("deliveries"));
    }

    private static void awaitSubscribers(int count) throws InterruptedException {
        Eventually.await(
                "subscribers >= " + count,
                Duration.ofSeconds(10),
                () -> hub.hub().stats().subscribers() >= count);
    }

    private static void awaitActiveTopic(String topic) throws InterruptedException {
        Eventually.await(
                "topic " + topic + " active",
                Duration.ofSeconds(10),
                () -> Http.stats(base).get("active_topics").asInt() > 0
                        && hub.hub().subscribers().stream()
                                .anyMatch(s -> s.topics().contains(topic)));
    }
}
