package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.app.WireHub;
import io.wirehub.store.memory.MemoryEventStore;
import io.wirehub.testing.Http;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.SseClient.SseEvent;
import io.wirehub.testing.TestHubs;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The in-memory store under a flood: it stays within its byte budget and tells clients what it dropped. */
class MemoryBudgetIT {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final int BUDGET = 1024 * 1024;
    private static final String DATA = "x".repeat(2000);
    private static WireHub hub;
    private static String base;

    @BeforeAll
    static void start() {
        hub = TestHubs.start(Map.of("WH_STORE_MEMORY_MAX_BYTES", String.valueOf(BUDGET)));
        base = TestHubs.base(hub);
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @Test
    void aFloodPastTheBudgetEvictsTheOldestEventsAndAClientBehindThemGetsAReset() throws Exception {
        for (int i = 0; i < 5; i++) {
            Http.publish(base, "budget.quiet", "early " + i);
        }
        floodManyTopics(4000, 400); // about 8 MB of data into a 1 MB budget
        MemoryEventStore store = (MemoryEventStore) hub.store();
        assertTrue(
                store.bytes() <= BUDGET, "the store holds " + store.bytes() + " bytes, over its budget of " + BUDGET);
        assertTrue(store.bytes() > BUDGET / 2, "eviction keeps what fits, it does not empty the store");

        try (SseClient sse = SseClient.connect(base + "/v1/sse?topic=budget.quiet", "2")) {
            SseEvent reset = sse.take(1, WAIT).getFirst();
            assertEquals("reset", reset.event(), "events 3..5 were evicted: the client is told, not skipped past them");
            JsonNode notice = Http.JSON.readTree(reset.data());
            assertEquals("retention", notice.get("reason").asText());
            assertEquals(5, notice.get("seq").asLong(), "the topic's seqs survive the eviction of all its events");
            assertEquals(6, Http.publish(base, "budget.quiet", "after"), "a forgotten topic does not restart at 1");
            SseEvent live = sse.take(1, WAIT).getFirst();
            assertEquals("after", live.data());
        }
    }

    private static void floodManyTopics(int events, int topics) {
        for (int done = 0; done < events; done += 250) {
            StringBuilder batch = new StringBuilder("[");
            for (int i = done; i < done + 250; i++) {
                batch.append(i == done ? "" : ",")
                        .append("{\"topic\":\"budget.flood.")
                        .append(i % topics)
                        .append("\",\"data\":\"")
                        .append(DATA)
                        .append("\"}");
            }
            Http.Response response =
                    Http.post(base + "/v1/events", batch.append("]").toString());
            assertEquals(201, response.status(), response.body());
        }
    }
}
