package io.wirehub.store.postgres;

import static io.wirehub.store.postgres.TestStores.events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.event.Event;
import io.wirehub.store.Snapshot;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.FreshSchema;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The background sweeper deletes by count and by age, never the topic's seq. Time is an injected
 * clock the test moves; the sweeper runs every 50ms and the test waits on a deadline for it.
 */
class PostgresRetentionIT {
    private static final Duration SWEEP = Duration.ofMillis(50);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final AtomicLong now =
            new AtomicLong(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());
    private final InstantSource clock = () -> Instant.ofEpochMilli(now.get());

    @RegisterExtension
    final FreshSchema schema = new FreshSchema();

    private PostgresEventStore store;

    @BeforeEach
    void open() {
        store = TestStores.open(
                schema, Map.of("WH_STORE_MAX_EVENTS_PER_TOPIC", "5", "WH_STORE_RETENTION", "1h"), clock, SWEEP);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void retentionByCountKeepsTheNewestEventsAndSeqsKeepCounting() {
        store.append(events("t", 12));

        awaitOldest("t", 8);

        assertEquals(List.of(8L, 9L, 10L, 11L, 12L), seqs(store.readAfter("t", 0, 100)));
        assertEquals(12, store.latestSeq("t"));
        assertEquals(13, store.append(events("t", 1)).getFirst().seq());
        List<Event> trimmed = store.readAfter("t", 2, 100);
        assertTrue(trimmed.getFirst().seq() > 3, "a cursor into the deleted range sees the jump (the cue for a reset)");
    }

    @Test
    void retentionByCountDeletesInBatchesUntilTheTopicIsWithinItsMaximum() {
        store.append(events("bulk", RetentionSweeper.BATCH * 2 + 500));

        awaitOldest("bulk", RetentionSweeper.BATCH * 2 + 500 - 4);

        assertEquals(5, store.readAfter("bulk", 0, 10_000).size());
    }

    @Test
    void retentionByAgeDeletesOldEventsButNeverTheTopicsSeq() {
        store.append(events("mixed", 3));
        store.append(events("old", 2));
        now.addAndGet(Duration.ofMinutes(90).toMillis());
        store.append(events("mixed", 2));

        awaitOldest("mixed", 4);

        assertEquals(List.of(4L, 5L), seqs(store.readAfter("mixed", 0, 100)));
        Eventually.await("the old topic emptied", WAIT, () -> store.readAfter("old", 0, 100)
                .isEmpty());
        Snapshot old = store.snapshot("old", 10, Long.MAX_VALUE);
        assertEquals(2, old.seq(), "the topic's seq survives its events");
        assertEquals(List.of(), old.events());
        assertEquals(3, store.append(events("old", 1)).getFirst().seq());
    }

    private void awaitOldest(String topic, long oldest) {
        Eventually.await("events of " + topic + " below seq " + oldest + " deleted", WAIT, () -> {
            List<Event> left = store.readAfter(topic, 0, 1);
            long first = left.isEmpty() ? -1 : left.getFirst().seq();
            return first == oldest ? null : "oldest seq " + first;
        });
    }

    private static List<Long> seqs(List<Event> events) {
        return events.stream().map(Event::seq).toList();
    }
}
