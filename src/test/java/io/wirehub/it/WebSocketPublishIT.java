package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.app.WireHub;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Http;
import io.wirehub.testing.Scrape;
import io.wirehub.testing.StalledSseClient;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.Tokens;
import io.wirehub.testing.WsClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code {"op":"publish",...}} on a WebSocket: stored through the same gate as a POST (the token's
 * publish claim, the rate limit, overload admission, idempotency keys) and answered in order.
 */
class WebSocketPublishIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final byte[] SECRET = "a-test-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);

    @Test
    void publishesAreStoredAnsweredInOrderAndARetriedKeyIsStoredOnce() throws Exception {
        try (WireHub hub = TestHubs.start();
                WsClient client = WsClient.connect("ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=chat")) {
            for (int i = 1; i <= 5; i++) {
                client.send(
                        "{\"op\":\"publish\",\"topic\":\"chat\",\"data\":{\"n\":" + i + "},\"id_key\":\"k" + i + "\"}");
            }
            client.send(
                    "{\"op\":\"publish\",\"topic\":\"chat\",\"event\":\"line\",\"data\":\"plain text\",\"id_key\":\"k3\"}");
            List<JsonNode> messages = client.take(11, WAIT); // 5 events + 5 answers + the retry's answer, interleaved
            List<JsonNode> answers = messages.stream().filter(m -> m.has("op")).toList();
            List<JsonNode> events = messages.stream().filter(m -> !m.has("op")).toList();
            assertEquals(6, answers.size(), messages.toString());
            for (int i = 0; i < 5; i++) {
                assertEquals(
                        "published",
                        answers.get(i).get("op").asText(),
                        answers.get(i).toString());
                assertEquals(i + 1, answers.get(i).get("seq").asLong(), "answered in the order sent");
                assertEquals("k" + (i + 1), answers.get(i).get("id_key").asText());
                assertFalse(answers.get(i).has("replayed"));
                assertEquals(i + 1, events.get(i).get("data").get("n").asInt(), "stored as JSON and delivered");
            }
            assertEquals(3, answers.get(5).get("seq").asLong(), "the key's first outcome");
            assertTrue(
                    answers.get(5).get("replayed").asBoolean(), answers.get(5).toString());
            assertEquals(
                    5,
                    Http.get(TestHubs.base(hub) + "/v1/topics/chat/snapshot")
                            .json()
                            .get("seq")
                            .asLong(),
                    "stored once");

            client.send("{\"op\":\"publish\",\"topic\":\"chat\",\"id_key\":\"k9\"}");
            JsonNode error = client.next(WAIT);
            assertEquals("error", error.get("op").asText(), error.toString());
            assertEquals("empty_event", error.get("error").asText(), error.toString());
            assertEquals("chat", error.get("topic").asText(), "the error names the message it answers");
            assertEquals("k9", error.get("id_key").asText());
            client.send("{\"op\":\"publish\",\"topic\":\"chat\",\"data\":1,\"extra\":true}");
            assertEquals("invalid_message", client.next(WAIT).get("error").asText());
        }
    }

    @Test
    void aTokenWithoutThePublishClaimIsRefusedAndTheRateLimitIsSharedWithHttp() throws Exception {
        Map<String, String> env = Map.of(
                "WH_AUTH_MODE",
                "jwt",
                "WH_AUTH_JWT_SECRET",
                new String(SECRET, StandardCharsets.UTF_8),
                "WH_PUBLISH_RATE_LIMIT",
                "2");
        Instant hour = Instant.now().plusSeconds(3600);
        String reader = Tokens.hs256(
                SECRET, Tokens.claims("ann", List.of("room"), List.of(), hour).build());
        String writer = Tokens.hs256(
                SECRET,
                Tokens.claims("bob", List.of("room"), List.of("room"), hour).build());
        try (WireHub hub = TestHubs.start(env);
                WsClient readOnly =
                        WsClient.connect("ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=room&access_token=" + reader);
                WsClient client =
                        WsClient.connect("ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=room&access_token=" + writer)) {
            readOnly.send("{\"op\":\"publish\",\"topic\":\"room\",\"data\":\"hi\",\"id_key\":\"r1\"}");
            JsonNode forbidden = readOnly.next(WAIT);
            assertEquals("forbidden", forbidden.get("error").asText(), forbidden.toString());
            assertTrue(forbidden.get("message").asText().contains("wirehub.publish"), forbidden.toString());

            // bob's bucket holds 2 events a second, whichever way they come: a batch of 10 leaves it in debt for
            // seconds.
            String batch = "["
                    + String.join(",", java.util.Collections.nCopies(10, "{\"topic\":\"room\",\"data\":\"b\"}")) + "]";
            Http.Response stored = Http.send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(TestHubs.base(hub) + "/v1/events"))
                            .header("Authorization", "Bearer " + writer)
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(batch))
                            .build());
            assertEquals(201, stored.status(), stored.body());
            client.send("{\"op\":\"publish\",\"topic\":\"room\",\"data\":\"ws\",\"id_key\":\"b1\"}");
            List<JsonNode> answers =
                    client.take(11, WAIT).stream().filter(m -> m.has("op")).toList();
            JsonNode limited = answers.getFirst();
            assertEquals("rate_limited", limited.get("error").asText(), limited.toString());
            assertEquals("b1", limited.get("id_key").asText());
            assertTrue(limited.get("retry_after").asLong() >= 1, "says when to retry: " + limited);
            assertEquals(
                    10,
                    Http.get(TestHubs.base(hub) + "/v1/topics/room/snapshot?access_token=" + writer)
                            .json()
                            .get("seq")
                            .asLong(),
                    "the refused publish stored nothing");
        }
    }

    @Test
    void aPublishPastTheFanOutBoundIsAnsweredOverloadedAndStoresNothing() throws Exception {
        Map<String, String> env = Map.of(
                "WH_PUBLISH_MAX_PENDING_DELIVERIES",
                "1",
                "WH_PUBLISH_OVERLOAD_WAIT",
                "200ms",
                "WH_SOCKET_SEND_BUFFER",
                "65536",
                "WH_WRITE_TIMEOUT",
                "60s");
        String payload = "x".repeat(8192);
        try (WireHub hub = TestHubs.start(env);
                StalledSseClient stalled = new StalledSseClient(hub.port(), "/v1/sse?topic=hot");
                WsClient client = WsClient.connect("ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=other")) {
            String base = TestHubs.base(hub);
            Eventually.await(
                    "the stalled subscriber", WAIT, () -> hub.hub().stats().subscribers() == 2);
            JsonNode refused = null;
            for (int i = 1; i <= 1000 && refused == null; i++) {
                client.send("{\"op\":\"publish\",\"topic\":\"hot\",\"data\":\"" + i + ":" + payload
                        + "\",\"id_key\":\"h" + i + "\"}");
                JsonNode answer = client.next(WAIT);
                assertNotNull(answer, "an answer to publish " + i);
                if (!"published".equals(answer.get("op").asText())) {
                    refused = answer;
                }
            }
            assertNotNull(refused, "1000 publishes of 8 KB to a stream that reads nothing were all accepted");
            assertEquals("overloaded", refused.get("error").asText(), refused.toString());
            assertEquals(1, refused.get("retry_after").asLong());
            long stored = Http.get(base + "/v1/topics/hot/snapshot?limit=1")
                    .json()
                    .get("seq")
                    .asLong();
            assertEquals(refused.get("id_key").asText(), "h" + (stored + 1), "the refused publish stored nothing");
            assertEquals(1, Scrape.of(base).count("wirehub_publish_refused_total", "reason", "overloaded"));
        }
    }
}
