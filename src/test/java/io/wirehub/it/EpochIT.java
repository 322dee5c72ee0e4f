package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.app.WireHub;
import io.wirehub.testing.Http;
import io.wirehub.testing.Ids;
import io.wirehub.testing.Marker;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.SseClient.SseEvent;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.WsClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A cursor names the store generation it came from: after a restart of the in-memory store (seqs
 * start at 1 again) a client resuming with an id of the old store gets a reset, never the new
 * store's events as if they were the ones after its cursor.
 */
class EpochIT {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void anIdFromBeforeARestartOfTheMemoryStoreGetsAResetThenLiveEventsOverSseAndWebSocket() throws Exception {
        String oldId = lastIdSeenBeforeARestart("epoch.restart", 5);
        try (WireHub restarted = TestHubs.start()) {
            String base = TestHubs.base(restarted);
            publish(base, "epoch.restart", 8);
            try (SseClient sse = SseClient.connect(base + "/v1/sse?topic=epoch.restart", oldId)) {
                SseEvent reset = sse.take(1, WAIT).getFirst();
                assertEquals(
                        "reset",
                        reset.event(),
                        "the new store's seqs 6..8 are not what came after the old id; got " + reset);
                JsonNode notice = Http.JSON.readTree(reset.data());
                assertEquals("unknown_cursor", notice.get("reason").asText());
                assertEquals(8, notice.get("seq").asLong());
                assertNotEquals(Ids.epoch(oldId), Ids.epoch(reset.id()), "the new store writes its own epoch");
                Http.publish(base, "epoch.restart", "live");
                SseEvent live = sse.take(1, WAIT).getFirst();
                assertEquals("live", live.data());
                assertEquals(9, Ids.seq(live.id()));
            }
            String url = "ws://127.0.0.1:" + restarted.port() + "/v1/ws?topic=epoch.restart&lastEventId=" + oldId;
            try (WsClient socket = WsClient.connect(url)) {
                JsonNode reset = socket.take(1, WAIT).getFirst();
                assertEquals("reset", reset.path("op").asText(), "got " + reset);
                assertEquals("unknown_cursor", reset.get("reason").asText());
                assertEquals(9, reset.get("seq").asLong());
                Http.publish(base, "epoch.restart", "live again");
                assertEquals(10, socket.take(1, WAIT).getFirst().get("seq").asLong());
            }
        }
    }

    @Test
    void aSeveralTopicCursorFromAnotherStoreResetsEachTopicItNames() throws Exception {
        String oldId;
        try (WireHub first = TestHubs.start()) {
            String base = TestHubs.base(first);
            Http.publish(base, "epoch.a", "a1");
            Http.publish(base, "epoch.b", "b1");
            try (SseClient sse =
                    SseClient.connect(base + "/v1/sse?topic=epoch.a&topic=epoch.b&lastEventId=epoch.a:0")) {
                oldId = sse.take(1, WAIT).getFirst().id();
            }
        }
        try (WireHub restarted = TestHubs.start()) {
            String base = TestHubs.base(restarted);
            publish(base, "epoch.a", 4);
            try (SseClient sse = SseClient.connect(base + "/v1/sse?topic=epoch.a&topic=epoch.b", oldId)) {
                List<SseEvent> resets = sse.take(2, WAIT);
                assertEquals(
                        List.of("reset", "reset"),
                        resets.stream().map(SseEvent::event).toList(),
                        "got " + resets);
                assertEquals(
                        "epoch.a:4,epoch.b:0", Ids.position(resets.getLast().id()));
                Marker.publish(base, "epoch.a")
                        .assertNext(sse, "nothing of the new store is passed off as the old one's");
            }
        }
    }

    @Test
    void aPlainSeqAheadOfTheTopicGetsAResetThenLiveEvents() throws Exception {
        try (WireHub hub = TestHubs.start()) {
            String base = TestHubs.base(hub);
            publish(base, "epoch.ahead", 3);
            try (SseClient sse = SseClient.connect(base + "/v1/sse?topic=epoch.ahead", "500")) {
                SseEvent reset = sse.take(1, WAIT).getFirst();
                assertEquals("reset", reset.event());
                assertEquals(
                        "unknown_cursor",
                        Http.JSON.readTree(reset.data()).get("reason").asText());
                Http.publish(base, "epoch.ahead", "live");
                assertEquals("live", sse.take(1, WAIT).getFirst().data());
            }
        }
    }

    @Test
    void anIdOfThisStoreAndAPlainSeqBothReplayExactlyWhatWasMissed() throws Exception {
        try (WireHub hub = TestHubs.start()) {
            String base = TestHubs.base(hub);
            String id;
            try (SseClient sse = SseClient.connect(base + "/v1/sse?topic=epoch.own", "0")) {
                Http.publish(base, "epoch.own", "e1");
                id = sse.take(1, WAIT).getFirst().id();
            }
            assertFalse(Ids.epoch(id).isEmpty(), "the id names the store's epoch: " + id);
            Http.publish(base, "epoch.own", "e2");
            Http.publish(base, "epoch.own", "e3");
            try (SseClient byId = SseClient.connect(base + "/v1/sse?topic=epoch.own", id);
                    SseClient bySeq = SseClient.connect(base + "/v1/sse?topic=epoch.own", "1")) {
                for (SseClient sse : List.of(byId, bySeq)) {
                    List<SseEvent> replayed = sse.take(2, WAIT);
                    assertEquals(
                            List.of("e2", "e3"),
                            replayed.stream().map(SseEvent::data).toList());
                    assertEquals(id.replace("~1", "~3"), replayed.getLast().id());
                }
                Marker marker = Marker.publish(base, "epoch.own");
                marker.assertNext(byId, "nothing replayed past e3");
                marker.assertNext(bySeq, "nothing replayed past e3");
            }
        }
    }

    @Test
    void aMalformedEpochIsRefusedLikeAnyUnreadableId() {
        try (WireHub hub = TestHubs.start()) {
            for (String bad : List.of("~5", "ab%20c~5", "abc~", "abc~x", "a~b~5")) {
                Http.Response response = Http.get(TestHubs.base(hub) + "/v1/sse?topic=epoch.bad&lastEventId=" + bad);
                assertEquals(400, response.status(), bad + ": " + response.body());
                assertEquals(
                        "invalid_last_event_id", response.json().get("error").asText());
            }
        }
    }

    /** Publishes {@code count} events on a first memory store, returns the last id a subscriber saw, and stops it. */
    private static String lastIdSeenBeforeARestart(String topic, int count) throws Exception {
        try (WireHub first = TestHubs.start()) {
            String base = TestHubs.base(first);
            try (SseClient sse = SseClient.connect(base + "/v1/sse?topic=" + topic, "0")) {
                publish(base, topic, count);
                return sse.take(count, WAIT).getLast().id();
            }
        }
    }

    private static void publish(String base, String topic, int count) {
        for (int i = 1; i <= count; i++) {
            Http.publish(base, topic, "e" + i);
        }
    }
}
