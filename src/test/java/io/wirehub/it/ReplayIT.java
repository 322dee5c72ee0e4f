package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.app.WireHub;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Http;
import io.wirehub.testing.Ids;
import io.wirehub.testing.Marker;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.SseClient.SseEvent;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.WsClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reconnect with a cursor: exactly what was missed, capped, or an explicit reset. Never a silent gap. */
class ReplayIT {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static WireHub hub;
    private static String base;

    @BeforeAll
    static void start() {
        // a ring of 1000 per topic, so retention can be crossed in a test
        hub = TestHubs.start(Map.of("WH_STORE_REPLAY_LIMIT", "100", "WH_STORE_MEMORY_MAX_EVENTS_PER_TOPIC", "1000"));
        base = TestHubs.base(hub);
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @Test
    void reconnectAfterMissing50ReplaysExactlyThose50ThenGoesLive() throws Exception {
        String lastSeen;
        try (SseClient sse = SseClient.connect(base + "/v1/sse?topic=replay.fifty")) {
            awaitFollowing("replay.fifty");
            publish("replay.fifty", 10);
            List<SseEvent> first = sse.take(10, WAIT);
            lastSeen = first.getLast().id();
            assertEquals("10", Ids.position(lastSeen));
        }
        publish("replay.fifty", 50); // missed while away: seqs 11..60
        try (SseClient sse = SseClient.connect(base + "/v1/sse?topic=replay.fifty", lastSeen)) {
            List<SseEvent> replayed = sse.take(50, WAIT);
            assertEquals(LongStream.rangeClosed(11, 60).boxed().toList(), seqs(replayed));
            Http.publish(base, "replay.fifty", "live");
            SseEvent live = sse.take(1, WAIT).getFirst();
            assertEquals("61", Ids.position(live.id()));
            assertEquals("live", live.data());
            Marker.publish(base, "replay.fifty").assertNext(sse, "no duplicate after the replay-to-live handoff");
        }
    }

    @Test
    void missing500WithCap100GetsAResetNamingTheSnapshot() throws Exception {
        publish("replay.many", 5);
        publish("replay.many", 500);
        try (SseClient sse = SseClient.connect(base + "/v1/sse?topic=replay.many", "5")) {
            SseEvent reset = sse.take(1, WAIT).getFirst();
            assertEquals("reset", reset.event());
            JsonNode notice = Http.JSON.readTree(reset.data());
            assertEquals("replay.many", notice.get("topic").asText());
            assertEquals(505, notice.get("seq").asLong());
            assertEquals("replay_limit", notice.get("reason").asText());
            assertEquals(
                    "/v1/topics/replay.many/snapshot", notice.get("snapshot").asText());
            assertEquals("505", Ids.position(reset.id()), "the stream continues after the reset position");
            Http.publish(base, "replay.many", "after");
            assertEquals("506", Ids.position(sse.take(1, WAIT).getFirst().id()));
        }
    }

    @Test
    void replayOfExactlyTheCapIsNotAReset() throws Exception {
        publish("replay.cap", 100);
        try (SseClient sse = SseClient.connect(base + "/v1/sse?topic=replay.cap", "0")) {
            List<SseEvent> events = sse.take(100, WAIT);
            assertEquals(LongStream.rangeClosed(1, 100).boxed().toList(), seqs(events));
            Marker.publish(base, "replay.cap").assertNext(sse, "no reset and nothing more after the 100");
        }
    }

    @Test
    void cursorOlderThanRetentionGetsAReset() throws Exception {
        publish("replay.old", 1050); // the ring keeps 51..1050
        try (SseClient sse = SseClient.connect(base + "/v1/sse?topic=replay.old", "990")) {
            assertEquals(60, sse.take(60, WAIT).size(), "within retention and the cap: replayed");
        }
        try (SseClient sse = SseClient.connect(base + "/v1/sse?topic=replay.old", "20")) {
            SseEvent reset = sse.take(1, WAIT).getFirst();
            assertEquals("reset", reset.event());
            String reason = Http.JSON.readTree(reset.data()).get("reason").asText();
            assertEquals("replay_limit", reason, "1030 missed is past the cap as well as past retention");
        }
    }

    @Test
    void cursorAheadOfTheTopicGetsAReset() throws Exception {
        publish("replay.ahead", 3);
        try (SseClient sse = SseClient.connect(base + "/v1/sse?topic=replay.ahead", "999")) {
            SseEvent reset = sse.take(1, WAIT).getFirst();
            assertEquals("reset", reset.event());
            JsonNode notice = Http.JSON.readTree(reset.data());
            assertEquals("unknown_cursor", notice.get("reason").asText());
            assertEquals(3, notice.get("seq").asLong());
            Http.publish(base, "replay.ahead", "next");
            assertEquals("4", Ids.position(sse.take(1, WAIT).getFirst().id()));
        }
    }

    @Test
    void multiTopicCursorResumesEachTopicWhereItWas() throws Exception {
        publish("replay.x", 3);
        publish("replay.y", 2);
        String url = base + "/v1/sse?topic=replay.x&topic=replay.y&lastEventId=replay.x:1,replay.y:2";
        try (SseClient sse = SseClient.connect(url)) {
            List<SseEvent> events = sse.take(2, WAIT);
            assertEquals("replay.x:2,replay.y:2", Ids.position(events.get(0).id()));
            assertEquals("replay.x:3,replay.y:2", Ids.position(events.get(1).id()));
            Marker.publish(base, "replay.x").assertNext(sse, "nothing more replayed");
        }
    }

    @Test
    void webSocketReplaysFromLastEventIdParameter() throws Exception {
        publish("replay.ws", 30);
        try (WsClient socket =
                WsClient.connect("ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=replay.ws&lastEventId=25")) {
            List<JsonNode> messages = socket.take(5, WAIT);
            assertEquals(
                    List.of(26L, 27L, 28L, 29L, 30L),
                    messages.stream().map(m -> m.get("seq").asLong()).toList());
            Marker.publish(base, "replay.ws").assertNext(socket, "nothing more replayed");
        }
        publish("replay.ws", 200); // after 30 and the marker: 32..231
        try (WsClient socket =
                WsClient.connect("ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=replay.ws&lastEventId=30")) {
            JsonNode reset = socket.take(1, WAIT).getFirst();
            assertEquals("reset", reset.get("op").asText());
            assertEquals(231, reset.get("seq").asLong());
            assertEquals("replay_limit", reset.get("reason").asText());
        }
    }

    /** Publishes in batches of at most 500 (under server.max_batch_events). */
    private static void publish(String topic, int count) {
        for (int done = 0; done < count; done += 500) {
            StringBuilder batch = new StringBuilder("[");
            for (int i = done; i < Math.min(count, done + 500); i++) {
                batch.append(i == done ? "" : ",")
                        .append("{\"topic\":\"")
                        .append(topic)
                        .append("\",\"data\":{\"i\":")
                        .append(i)
                        .append("}}");
            }
            Http.Response response =
                    Http.post(base + "/v1/events", batch.append("]").toString());
            assertEquals(201, response.status(), response.body());
        }
    }

    private static List<Long> seqs(List<SseEvent> events) {
        return events.stream().map(event -> Ids.seq(event.id())).toList();
    }

    private static void awaitFollowing(String topic) throws InterruptedException {
        Eventually.await("a subscriber of " + topic, Duration.ofSeconds(10), () -> hub.hub().subscribers().stream()
                .anyMatch(s -> s.topics().contains(topic)));
    }
}
