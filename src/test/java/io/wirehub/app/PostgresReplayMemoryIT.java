package io.wirehub.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.event.NewEvent;
import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.Http;
import io.wirehub.testing.Ids;
import io.wirehub.testing.Scrape;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.SseClient.SseEvent;
import io.wirehub.testing.TestHubs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a reconnect and a snapshot make an instance read from PostgreSQL when events are large:
 * bounded by bytes, not by the event counts alone (64 topics × 101 events of 64 KB were 414 MB
 * held for one reconnect; a snapshot read 1,000 rows of 64 KB to send 4 MB of them).
 */
class PostgresReplayMemoryIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String LARGE = "z".repeat(60_000); // about the largest event allowed (64 KB)

    @RegisterExtension
    static final FreshSchema schema = new FreshSchema();

    @Test
    void aSnapshotOfLargeEventsFetchesOnlyTheRowsThatFitItsCap() {
        try (WireHub hub = TestHubs.start(schema.env())) {
            String base = TestHubs.base(hub);
            append(hub, "snap", 200, LARGE);
            long readBefore = readEvents(base);

            Http.Response response = Http.get(base + "/v1/topics/snap/snapshot?limit=1000");

            assertEquals(200, response.status());
            assertTrue(
                    response.body().length() <= 4 * 1024 * 1024 + 1024,
                    "bounded: " + response.body().length());
            JsonNode snapshot = response.json();
            assertTrue(snapshot.get("truncated").asBoolean());
            JsonNode events = snapshot.get("events");
            assertEquals(200, snapshot.get("seq").asLong());
            assertEquals(200, events.get(events.size() - 1).get("seq").asLong(), "the newest are kept");
            int fit = 4 * 1024 * 1024 / LARGE.length(); // 69 by their data; the JSON around each costs a little
            assertTrue(events.size() >= fit - 1 && events.size() <= fit, "as many as fit: " + events.size());
            long fetched = readEvents(base) - readBefore;
            assertTrue(fetched <= fit, "the store fetched " + fetched + " rows of 200 for a body of " + events.size());
        }
    }

    @Test
    void aReconnectWhoseReplayPassesTheByteBudgetResetsTheTopicsPastItAndReplaysTheOthersWhole() throws Exception {
        try (WireHub hub = TestHubs.start(schema.env())) {
            String base = TestHubs.base(hub);
            // 8 topics of 50 events of 60 KB: 3 MB each, 24 MB in all; a reconnect may hold 16 MiB.
            List<String> large = IntStream.range(0, 8).mapToObj(i -> "big" + i).toList();
            for (String topic : large) {
                append(hub, topic, 50, LARGE);
            }
            append(hub, "small", 3, "tiny");
            List<String> topics = new ArrayList<>(large);
            topics.add("small");
            String url = base + "/v1/sse?"
                    + String.join("&", topics.stream().map(t -> "topic=" + t).toList());
            String cursor = hub.store().epoch() + "~"
                    + String.join(",", topics.stream().map(t -> t + ":0").toList());
            long readBefore = readEvents(base);

            try (SseClient stream = SseClient.connect(url, cursor)) {
                assertEquals(200, stream.status(), stream.errorBody());
                List<SseEvent> received = stream.take(5 * 50 + 3 + 3, WAIT);

                int at = 0;
                for (String topic : large.subList(0, 5)) { // 15 MB: these fit, in the stream's order
                    for (int seq = 1; seq <= 50; seq++, at++) {
                        SseEvent event = received.get(at);
                        assertEquals(LARGE, event.data(), topic + " " + seq);
                        assertEquals(seq, positionOf(event.id(), topic), "replayed whole, in order: " + topic);
                    }
                }
                for (String topic : large.subList(5, 8)) { // 3 MB more would pass 16 MiB
                    SseEvent reset = received.get(at++);
                    assertEquals("reset", reset.event(), topic);
                    JsonNode data = Http.JSON.readTree(reset.data());
                    assertEquals(topic, data.get("topic").asText());
                    assertEquals("replay_limit", data.get("reason").asText());
                    assertEquals(50, data.get("seq").asLong());
                }
                for (int seq = 1; seq <= 3; seq++, at++) { // still fits after the ones left out
                    assertEquals(seq, positionOf(received.get(at).id(), "small"));
                    assertEquals("tiny", received.get(at).data());
                }
            }
            assertEquals(5 * 50 + 3, readEvents(base) - readBefore, "the events of the topics reset were never read");
        }
    }

    private static void append(WireHub hub, String topic, int count, String data) {
        for (int i = 0; i < count; i += 10) { // batches of 600 KB
            hub.store()
                    .append(IntStream.range(i, Math.min(count, i + 10))
                            .mapToObj(n -> new NewEvent(topic, null, data, false))
                            .toList());
        }
    }

    /** The topic's position in a multi-topic id ({@code <epoch>~a:4,b:17}). */
    private static long positionOf(String id, String topic) {
        for (String position : Ids.position(id).split(",")) {
            if (position.startsWith(topic + ":")) {
                return Long.parseLong(position.substring(topic.length() + 1));
            }
        }
        throw new AssertionError(topic + " is not in " + id);
    }

    private static long readEvents(String base) {
        return Scrape.of(base).count("wirehub_store_read_events_total");
    }
}
