package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.app.WireHub;
import io.wirehub.testing.Http;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.WsClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The ids a WebSocket hands out name their topics, so every one of them resumes the stream it came from, and no other. */
class WebSocketCursorIT {
    private static final Duration WAIT = Duration.ofSeconds(5);
    // The longest token a server in auth.mode jwt reads; mode none ignores it, but it is still in the request line.
    private static final String LONGEST_TOKEN = "t".repeat(8192);
    private static WireHub hub;
    private static String base;
    private static String ws;

    @BeforeAll
    static void start() {
        hub = TestHubs.start();
        base = TestHubs.base(hub);
        ws = base.replace("http", "ws") + "/v1/ws?";
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @Test
    void aWebSocketUnsubscribedDownToOneTopicGetsAnIdThatResumesOnItsOriginalUrl() throws Exception {
        String id;
        try (WsClient client = WsClient.connect(ws + "topic=down.a&topic=down.b")) {
            for (int i = 1; i <= 3; i++) {
                Http.publish(base, "down.a", "a" + i);
            }
            client.take(3, WAIT);
            client.send("{\"op\":\"unsubscribe\",\"topic\":\"down.b\"}");
            JsonNode ack = client.nextAck(WAIT);
            assertEquals("unsubscribed", ack.get("op").asText());
            id = ack.get("id").asText();
        }
        assertEquals(hub.store().epoch() + "~down.a:3", id, "one topic left, and the id still names it");
        Http.publish(base, "down.a", "missed");

        try (WsClient again = WsClient.connect(ws + "topic=down.a&topic=down.b&lastEventId=" + encode(id))) {
            JsonNode replayed = again.next(WAIT);
            assertEquals(4, replayed.get("seq").asLong(), "resumed where it was: " + replayed);
            assertEquals("missed", replayed.get("data").asText());
        }
    }

    @Test
    void anIdOfOneTopicNeverMovesAnotherTopic() throws Exception {
        for (int i = 1; i <= 9; i++) {
            Http.publish(base, "other.c", "c" + i);
        }
        String id;
        try (WsClient client = WsClient.connect(ws + "topic=other.a")) {
            for (int i = 1; i <= 3; i++) {
                Http.publish(base, "other.a", "a" + i);
            }
            id = client.take(3, WAIT).getLast().get("id").asText();
        }
        assertEquals(hub.store().epoch() + "~other.a:3", id);

        try (WsClient elsewhere = WsClient.connect(ws + "topic=other.c&lastEventId=" + encode(id))) {
            assertEquals(
                    9,
                    elsewhere.ready().get("topics").get("other.c").asLong(),
                    "other.c starts now: the id is not its");
            Http.publish(base, "other.c", "c10");
            JsonNode next = elsewhere.next(WAIT);
            assertEquals(10, next.get("seq").asLong(), "no replay of other.c from other.a's position: " + next);
        }
    }

    @Test
    void aPlainSeqSentToAWebSocketGetsAResetNotAReplayFromAPositionOfUnknownTopic() throws Exception {
        for (int i = 1; i <= 5; i++) {
            Http.publish(base, "plain.c", "c" + i);
        }
        try (WsClient client = WsClient.connect(
                ws + "topic=plain.c&lastEventId=" + encode(hub.store().epoch() + "~2"))) {
            JsonNode reset = client.next(WAIT);
            assertEquals("reset", reset.path("op").asText(), "a plain seq names no topic: " + reset);
            assertEquals("unknown_cursor", reset.get("reason").asText());
            assertEquals(5, reset.get("seq").asLong());
            assertTrue(reset.get("id").asText().endsWith("~plain.c:5"), reset.toString());
        }
    }

    @Test
    void theLargestStreamTheLimitsAllowResumesWithTheIdItWasSent() throws Exception {
        List<String> topics = longestTopics("big.");
        String url = ws + query(topics) + "&access_token=" + LONGEST_TOKEN;
        String id;
        try (WsClient client = WsClient.connect(url)) {
            assertEquals(201, Http.publishToEach(base, topics, "one").status());
            id = client.take(topics.size(), WAIT).getLast().get("id").asText();
        }
        assertEquals(topics.size(), id.split(",").length, "the id names every topic");
        assertEquals(201, Http.publishToEach(base, topics, "two").status());

        try (WsClient again = WsClient.connect(url + "&lastEventId=" + encode(id))) {
            List<JsonNode> replayed = again.take(topics.size(), WAIT);
            assertEquals(
                    Set.of("two"),
                    replayed.stream().map(m -> m.get("data").asText()).collect(Collectors.toSet()));
        }
    }

    @Test
    void theLongestCursorAnyClientCanSendIsReadOverWebSocketAndSse() throws Exception {
        List<String> topics = longestTopics("far.");
        // 18 digits, the most a seq may have, in every pair: ahead of every topic, so each gets a reset.
        String id = hub.store().epoch() + "~"
                + topics.stream().map(t -> t + ":" + "9".repeat(18)).collect(Collectors.joining(","));
        try (WsClient client = WsClient.connect(
                ws + query(topics) + "&access_token=" + LONGEST_TOKEN + "&lastEventId=" + encode(id))) {
            List<JsonNode> resets = client.take(topics.size(), WAIT);
            assertTrue(
                    resets.stream().allMatch(m -> "unknown_cursor"
                            .equals(m.path("reason").asText())),
                    resets.getFirst().toString());
        }
        String sse = base + "/v1/sse?" + query(topics) + "&access_token=" + LONGEST_TOKEN;
        try (SseClient client = SseClient.connect(sse, id)) {
            assertEquals(200, client.status(), client.errorBody());
            assertEquals("reset", client.next(WAIT).event());
        }
    }

    /** As many topics as a stream may have, each of the longest name, all colons but a prefix (3 bytes each once encoded). */
    private static List<String> longestTopics(String prefix) {
        int max = hub.settings().server().maxTopicsPerStream();
        return IntStream.range(0, max)
                .mapToObj(i -> {
                    String head = prefix + i + ".";
                    return head + ":".repeat(200 - head.length());
                })
                .toList();
    }

    private static String query(List<String> topics) {
        return topics.stream().map(t -> "topic=" + encode(t)).collect(Collectors.joining("&"));
    }

    private static String encode(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8);
    }
}
