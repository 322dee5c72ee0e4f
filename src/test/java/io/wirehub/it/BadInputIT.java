package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.app.WireHub;
import io.wirehub.testing.Http;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.TestHubs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad input gets a JSON error that says what to fix, and changes nothing. */
class BadInputIT {
    private static WireHub hub;
    private static String base;

    @BeforeAll
    static void start() {
        hub = TestHubs.start(Map.of(
                "WH_MAX_EVENT_BYTES",
                "1024",
                "WH_MAX_BATCH_BYTES",
                "4096",
                "WH_MAX_BATCH_EVENTS",
                "5",
                "WH_MAX_TOPICS_PER_STREAM",
                "3"));
        base = TestHubs.base(hub);
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @Test
    void unknownRouteIs404() {
        assertError(Http.get(base + "/v2/nothing"), 404, "not_found");
        assertError(Http.post(base + "/v1/topics/a/nothing", "x"), 404, "not_found");
    }

    @Test
    void invalidTopicIs400AndStoresNothing() {
        long before = published();
        assertError(Http.post(base + "/v1/topics/a%20b/events", "x"), 400, "invalid_topic");
        assertError(Http.post(base + "/v1/topics/" + "t".repeat(201) + "/events", "x"), 400, "invalid_topic");
        assertError(Http.post(base + "/v1/topics/a,b/events", "x"), 400, "invalid_topic");
        assertEquals(before, published());
    }

    @Test
    void eventNameWithCrLfOrNulIsRefused() {
        long before = published();
        assertError(
                Http.post(base + "/v1/topics/bad.name/events?event=a%0D%0Adata:%20injected", "x"),
                400,
                "invalid_event_name");
        assertError(Http.post(base + "/v1/topics/bad.name/events?event=a%00b", "x"), 400, "invalid_event_name");
        assertError(
                Http.post(base + "/v1/events", "[{\"topic\":\"bad.name\",\"event\":\"a\\nb\",\"data\":\"x\"}]"),
                400,
                "invalid_event_name");
        assertEquals(before, published());
        assertEquals(
                0,
                Http.get(base + "/v1/topics/bad.name/snapshot")
                        .json()
                        .get("seq")
                        .asLong());
    }

    @Test
    void bodyOverTheLimitIs413() {
        long before = published();
        assertError(Http.post(base + "/v1/topics/big/events", "x".repeat(1025)), 413, "event_too_large");
        assertEquals(
                201, Http.post(base + "/v1/topics/big/events", "x".repeat(1024)).status(), "exactly the limit is fine");
        assertError(
                Http.post(base + "/v1/events", "[" + "{\"topic\":\"big\",\"data\":\"" + "y".repeat(1025) + "\"}]"),
                413,
                "event_too_large");
        assertError(
                Http.post(base + "/v1/events", "[" + "{\"topic\":\"big\",\"data\":\"" + "y".repeat(5000) + "\"}]"),
                413,
                "batch_too_large");
        assertEquals(before + 1, published());
    }

    @Test
    void emptyOrInvalidBodiesAre400() {
        long before = published();
        assertError(Http.post(base + "/v1/topics/empty/events", ""), 400, "empty_event");
        assertError(
                Http.post(base + "/v1/topics/utf/events", new byte[] {(byte) 0xC3, (byte) 0x28}, "text/plain"),
                400,
                "invalid_utf8");
        assertError(
                Http.post(
                        base + "/v1/topics/json/events",
                        "{not json".getBytes(StandardCharsets.UTF_8),
                        "application/json"),
                400,
                "invalid_json");
        assertError(Http.post(base + "/v1/topics/nul/events", "a\u0000b"), 400, "invalid_data");
        assertError(
                Http.post(base + "/v1/events", "[{\"topic\":\"nul\",\"data\":\"a\\u0000b\"}]"), 400, "invalid_data");
        assertEquals(before, published());
    }

    @Test
    void aLoneSurrogateInBatchDataIs400NotAQuestionMark() {
        long before = published();
        JsonNode error = assertError(
                Http.post(
                        base + "/v1/events",
                        "[{\"topic\":\"surrogate\",\"data\":\"ok\"},{\"topic\":\"surrogate\",\"data\":\"a\\ud800b\"}]"),
                400,
                "invalid_data");
        assertTrue(error.get("message").asText().contains("events[1].data"), error.toString());
        assertError(
                Http.post(base + "/v1/events", "[{\"topic\":\"surrogate\",\"data\":\"\\udc00\"}]"),
                400,
                "invalid_data");
        assertEquals(before, published(), "nothing of the batch was stored");

        Http.Response paired =
                Http.post(base + "/v1/events", "[{\"topic\":\"surrogate\",\"data\":\"\\ud83d\\ude00\"}]");
        assertEquals(201, paired.status(), "a proper pair is fine: " + paired.body());
        assertEquals(
                "\ud83d\ude00",
                Http.get(base + "/v1/topics/surrogate/snapshot")
                        .json()
                        .get("events")
                        .get(0)
                        .get("data")
                        .asText());
    }

    @Test
    void aSingleJsonEventWithALoneSurrogateEscapeIsStoredExactlyAsSent() {
        String body = "{\"text\":\"a\\ud800b\"}";
        Http.Response response = Http.post(
                base + "/v1/topics/surrogate.one/events", body.getBytes(StandardCharsets.UTF_8), "application/json");
        assertEquals(201, response.status(), response.body());
        String snapshot = Http.get(base + "/v1/topics/surrogate.one/snapshot").body();
        assertTrue(snapshot.contains(body), "the escape is kept as written, never turned into '?': " + snapshot);
    }

    @Test
    void malformedBatchIs400NamingTheBadElementAndStoresNone() {
        long before = published();
        JsonNode error = assertError(
                Http.post(
                        base + "/v1/events",
                        "[{\"topic\":\"batch.ok\",\"data\":\"fine\"},{\"topic\":\"bad topic\",\"data\":\"x\"}]"),
                400,
                "invalid_topic");
        assertTrue(error.get("message").asText().contains("events[1].topic"), error.toString());
        error = assertError(
                Http.post(base + "/v1/events", "[{\"topic\":\"batch.ok\",\"data\":\"fine\"},{\"topic\":\"batch.ok\"}]"),
                400,
                "empty_event");
        assertTrue(error.get("message").asText().contains("events[1].data"), error.toString());
        error = assertError(
                Http.post(base + "/v1/events", "[{\"topic\":\"batch.ok\",\"data\":\"a\",\"colour\":\"red\"}]"),
                400,
                "invalid_batch");
        assertTrue(error.get("message").asText().contains("colour"), error.toString());
        assertError(Http.post(base + "/v1/events", "{\"topic\":\"batch.ok\"}"), 400, "invalid_batch");
        assertError(Http.post(base + "/v1/events", "[{\"topic\":\"batch.ok\",\"data\":\"a\"}"), 400, "invalid_batch");
        assertError(Http.post(base + "/v1/events", "[]"), 400, "invalid_batch");
        assertError(
                Http.post(
                        base + "/v1/events",
                        "[" + "{\"topic\":\"batch.ok\",\"data\":\"a\"},".repeat(5)
                                + "{\"topic\":\"batch.ok\",\"data\":\"a\"}]"),
                413,
                "batch_too_large");
        assertEquals(before, published(), "all or nothing: not even the valid elements were stored");
        assertEquals(
                0,
                Http.get(base + "/v1/topics/batch.ok/snapshot")
                        .json()
                        .get("seq")
                        .asLong());
    }

    @Test
    void malformedLastEventIdIs400OnSse() throws Exception {
        try (SseClient sse = SseClient.connect(base + "/v1/sse?topic=id.a", "abc")) {
            assertEquals(400, sse.status());
            assertEquals(
                    "invalid_last_event_id",
                    Http.JSON.readTree(sse.errorBody()).get("error").asText());
        }
        try (SseClient sse = SseClient.connect(base + "/v1/sse?topic=id.a&topic=id.b", "12")) {
            assertEquals(400, sse.status(), "a plain seq cannot say which of two topics it is for");
        }
        try (SseClient sse = SseClient.connect(base + "/v1/sse?topic=id.a", "id.a:-3")) {
            assertEquals(400, sse.status());
        }
        assertEquals(0, hub.hub().stats().subscribers(), "no stream was opened");
    }

    @Test
    void malformedSubscribeRequestsAre400OnSseAndWebSocket() throws Exception {
        assertError(Http.get(base + "/v1/sse"), 400, "missing_topic");
        assertError(Http.get(base + "/v1/sse?topic=a&topic=b&topic=c&topic=d"), 400, "too_many_topics");
        assertError(Http.get(base + "/v1/sse?topic=a%0Ab"), 400, "invalid_topic");
        assertError(Http.get(base + "/v1/ws?topic=id.a&lastEventId=zz"), 400, "invalid_last_event_id");
        assertError(Http.get(base + "/v1/ws?topic=id.a"), 426, "upgrade_required");

        CompletionException refused = org.junit.jupiter.api.Assertions.assertThrows(
                CompletionException.class, () -> HttpClient.newHttpClient()
                        .newWebSocketBuilder()
                        .buildAsync(
                                URI.create("ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=id.a&lastEventId=zz"),
                                new java.net.http.WebSocket.Listener() {})
                        .join());
        WebSocketHandshakeException handshake = (WebSocketHandshakeException) refused.getCause();
        assertEquals(400, handshake.getResponse().statusCode(), "the upgrade is refused with 400");
        assertFalse(hub.hub().stats().subscribers() > 0);
    }

    @Test
    void aSnapshotOfManyLargeEventsIsBoundedAndSaysItWasTruncated() throws Exception {
        try (WireHub big = io.wirehub.testing.TestHubs.start(Map.of())) {
            String bigBase = TestHubs.base(big);
            String data = "z".repeat(60_000);
            for (int i = 0; i < 100; i++) {
                Http.publish(bigBase, "huge", data + i);
            }
            Http.Response response = Http.get(bigBase + "/v1/topics/huge/snapshot?limit=100");
            assertEquals(200, response.status());
            assertTrue(
                    response.body().length() <= 4 * 1024 * 1024 + 1024,
                    "bounded: " + response.body().length());
            JsonNode snapshot = response.json();
            assertTrue(snapshot.get("truncated").asBoolean());
            JsonNode events = snapshot.get("events");
            assertEquals(100, snapshot.get("seq").asLong());
            assertEquals(100, events.get(events.size() - 1).get("seq").asLong(), "the newest are kept");
            assertTrue(events.size() > 60 && events.size() < 100, "as many as fit: " + events.size());
        }
    }

    @Test
    void invalidSnapshotLimitIs400() {
        assertError(Http.get(base + "/v1/topics/a/snapshot?limit=0"), 400, "invalid_limit");
        assertError(Http.get(base + "/v1/topics/a/snapshot?limit=abc"), 400, "invalid_limit");
        assertError(Http.get(base + "/v1/topics/a/snapshot?limit=1001"), 400, "invalid_limit");
    }

    private static long published() {
        return hub.hub().stats().published();
    }

    private static JsonNode assertError(Http.Response response, int status, String code) {
        assertEquals(status, response.status(), response.body());
        JsonNode body = response.json();
        assertEquals(status, body.get("status").asInt());
        assertEquals(code, body.get("error").asText(), response.body());
        assertFalse(body.get("message").asText().isBlank(), "the message says how to fix it");
        return body;
    }
}
