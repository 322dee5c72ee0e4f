package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.app.WireHub;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.Http;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.SseClient.SseEvent;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.TestPostgres;
import io.wirehub.testing.WsClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The README's rule for an event's data, on both transports, live and replayed from PostgreSQL: a
 * body that is one JSON value is JSON (a WebSocket message carries the value itself), any other
 * body is text (a JSON string); {@code application/json} must be JSON, {@code text/*} is text;
 * in a batch a string is text and any other value, {@code null} too, is JSON. SSE's
 * {@code data:} is the data as sent.
 */
class EventDataTypesIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final FreshSchema schema = new FreshSchema();

    /** What one publish sends, and what each transport must deliver. */
    private record Case(String body, String contentType, String sse, String ws) {}

    private static final List<Case> SINGLE = List.of(
            new Case("{\"a\":1}", null, "{\"a\":1}", "{\"a\":1}"),
            new Case("[1,2]", null, "[1,2]", "[1,2]"),
            new Case("1", null, "1", "1"),
            new Case("true", null, "true", "true"),
            new Case("null", null, "null", "null"),
            new Case("\"hello\"", null, "\"hello\"", "\"hello\""),
            new Case("hello", null, "hello", "\"hello\""),
            new Case("{\"a\":1", null, "{\"a\":1", "\"{\\\"a\\\":1\""), // broken JSON, nothing declared: text
            new Case("[INFO] started", null, "[INFO] started", "\"[INFO] started\""),
            new Case("1", "application/x-www-form-urlencoded", "1", "1"), // what curl -d sends: the body decides
            new Case("1", "application/json", "1", "1"),
            new Case("{\"b\":2}", "application/vnd.api+json", "{\"b\":2}", "{\"b\":2}"),
            new Case("1", "text/plain", "1", "\"1\""), // declared text stays text
            new Case("{\"a\":1}", "text/plain; charset=utf-8", "{\"a\":1}", "\"{\\\"a\\\":1}\""));

    // The same values in a batch: a string is text, anything else is JSON as written.
    private static final String BATCH =
            "[{\"topic\":\"types.batch\",\"data\":{\"a\":1}},{\"topic\":\"types.batch\",\"data\":[1,2]},"
                    + "{\"topic\":\"types.batch\",\"data\":1},{\"topic\":\"types.batch\",\"data\":true},{\"topic\":\"types.batch\",\"data\":null},"
                    + "{\"topic\":\"types.batch\",\"data\":\"hello\"}]";
    private static final List<Case> BATCH_EXPECTED = List.of(
            new Case(null, null, "{\"a\":1}", "{\"a\":1}"),
            new Case(null, null, "[1,2]", "[1,2]"),
            new Case(null, null, "1", "1"),
            new Case(null, null, "true", "true"),
            new Case(null, null, "null", "null"),
            new Case(null, null, "hello", "\"hello\""));

    @Test
    void singlePublishesAreJsonWhenTheBodyIsOneJsonValueAndTextOtherwiseOnSseAndWebSocketLiveAndReplayed()
            throws Exception {
        try (WireHub hub = TestHubs.start(schema.env())) {
            assertLiveAndReplayed(hub, "types.single", SINGLE, base -> {
                for (Case c : SINGLE) {
                    Http.Response response = c.contentType() == null
                            ? Http.post(base + "/v1/topics/types.single/events", c.body())
                            : Http.post(
                                    base + "/v1/topics/types.single/events",
                                    c.body().getBytes(StandardCharsets.UTF_8),
                                    c.contentType());
                    assertEquals(201, response.status(), c + ": " + response.body());
                }
            });
        }
    }

    @Test
    void aBatchTypesItsDataLikeSinglePublishesStringsAsTextNullAsJson() throws Exception {
        // The batch's six events, then a single publish of the body null: the same as "data": null.
        List<Case> expected = new ArrayList<>(BATCH_EXPECTED);
        expected.add(new Case("null", null, "null", "null"));
        try (WireHub hub = TestHubs.start(schema.env())) {
            assertLiveAndReplayed(hub, "types.batch", expected, base -> {
                Http.Response response = Http.post(base + "/v1/events", BATCH);
                assertEquals(201, response.status(), response.body());
                assertEquals(
                        201,
                        Http.post(base + "/v1/topics/types.batch/events", "null")
                                .status());
            });
        }
    }

    @Test
    void brokenJsonDeclaredAsJsonIs400SayingWhereAndAnEmptyBatchDataIs400() {
        try (WireHub hub = TestHubs.start(schema.env())) {
            String base = TestHubs.base(hub);
            Http.Response broken = Http.post(
                    base + "/v1/topics/types.bad/events",
                    "{\"a\":1".getBytes(StandardCharsets.UTF_8),
                    "application/json");
            assertEquals(400, broken.status());
            assertEquals("invalid_json", broken.json().get("error").asText());
            String message = broken.json().get("message").asText();
            assertTrue(message.contains("line 1, column") && message.contains("text/plain"), message);
            Http.Response twoValues = Http.post(
                    base + "/v1/topics/types.bad/events", "1 2".getBytes(StandardCharsets.UTF_8), "application/json");
            assertEquals(400, twoValues.status());
            assertTrue(
                    twoValues.json().get("message").asText().contains("more after the first value"), twoValues.body());
            Http.Response missing = Http.post(base + "/v1/events", "[{\"topic\":\"types.bad\"}]");
            assertEquals("empty_event", missing.json().get("error").asText(), missing.body());
            Http.Response empty = Http.post(base + "/v1/events", "[{\"topic\":\"types.bad\",\"data\":\"\"}]");
            assertEquals("empty_event", empty.json().get("error").asText(), empty.body());
            assertEquals(
                    0,
                    Http.get(base + "/v1/topics/types.bad/snapshot")
                            .json()
                            .get("seq")
                            .asLong(),
                    "nothing stored");
        }
    }

    @Test
    void anEventStoredBeforeThisRuleKeepsTheTypeItWasStoredWith() throws Exception {
        // An older wirehub stored the body 1 (no Content-Type) as text: the row says so, and is delivered so.
        try (WireHub hub = TestHubs.start(schema.env())) {
            String events = "\"" + schema.name() + "\".events";
            TestPostgres.query("INSERT INTO \"" + schema.name() + "\".topics (topic, seq) VALUES ('types.old', 2)");
            TestPostgres.query(
                    "INSERT INTO " + events + " (topic, seq, type, data, json, created_at)"
                            + " VALUES ('types.old', 1, null, '1', false, now()), ('types.old', 2, null, '{\"a\":1}', true, now())");
            assertReplayed(
                    hub,
                    "types.old",
                    List.of(new Case(null, null, "1", "\"1\""), new Case(null, null, "{\"a\":1}", "{\"a\":1}")));
        }
    }

    /** Publishes with SSE and WebSocket subscribers on the topic, checks what they get, then what a replay gives. */
    private static void assertLiveAndReplayed(WireHub hub, String topic, List<Case> expected, Consumer<String> publish)
            throws Exception {
        try (SseClient sse = SseClient.connect(TestHubs.base(hub) + "/v1/sse?topic=" + topic);
                WsClient ws = WsClient.connect("ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=" + topic)) {
            Eventually.await("2 subscribers", WAIT, () -> hub.hub().stats().subscribers() == 2);
            publish.accept(TestHubs.base(hub));
            assertDelivered(expected, sse.take(expected.size(), WAIT), ws.take(expected.size(), WAIT), "live");
        }
        assertReplayed(hub, topic, expected);
    }

    /** Reconnects on both transports from before the first event: the store's copy is typed as the live one was. */
    private static void assertReplayed(WireHub hub, String topic, List<Case> expected) throws Exception {
        String epoch = hub.store().epoch();
        try (SseClient sse = SseClient.connect(TestHubs.base(hub) + "/v1/sse?topic=" + topic, epoch + "~0");
                WsClient ws = WsClient.connect("ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=" + topic
                        + "&lastEventId=" + URLEncoder.encode(epoch + "~" + topic + ":0", StandardCharsets.UTF_8))) {
            assertDelivered(expected, sse.take(expected.size(), WAIT), ws.take(expected.size(), WAIT), "replayed");
        }
    }

    private static void assertDelivered(List<Case> expected, List<SseEvent> sse, List<JsonNode> ws, String how)
            throws Exception {
        List<String> sseData = new ArrayList<>();
        List<JsonNode> wsData = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            sseData.add(sse.get(i).data());
            assertTrue(ws.get(i).has("data"), "every message has its data, null too: " + ws.get(i));
            wsData.add(ws.get(i).get("data"));
        }
        assertEquals(expected.stream().map(Case::sse).toList(), sseData, how + " over SSE");
        List<JsonNode> wanted = new ArrayList<>();
        for (Case c : expected) {
            wanted.add(Http.JSON.readTree(c.ws()));
        }
        assertEquals(wanted, wsData, how + " over WebSocket");
    }
}
