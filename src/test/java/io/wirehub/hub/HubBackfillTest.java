package io.wirehub.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.testing.Eventually;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The backfill after a Redis reconnect: a slow store read holds up no publisher of the topic. */
class HubBackfillTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final GatedStore store = new GatedStore();
    private final CountDownLatch gate = new CountDownLatch(1);
    private final Hub hub = new Hub(
            store,
            new HubSettings(
                    64,
                    64,
                    100,
                    OverflowPolicy.CATCH_UP,
                    Duration.ofSeconds(15),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(1)),
            () -> 0L);
    private final RecordingSink seqs = new RecordingSink(false);

    @AfterEach
    void openTheStore() {
        gate.countDown(); // whatever failed, no thread stays stuck in a read
    }

    @Test
    void aPublishDuringTheBackfillReadIsDeliveredAtOnceAndTheReadAddsOnlyWhatCameAfter() throws Exception {
        Subscriber subscriber = hub.subscriber(Transport.SSE, List.of("t"), Map.of(), Set.of(), seqs);
        Thread.ofVirtual().start(subscriber::run);
        assertTrue(seqs.opened.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        Eventually.await("the subscriber joined its topic", WAIT, () -> hub.activeTopics() == 1);
        // Committed here: a channel's first seq from the bus would be checked against the store
        // by a read of its own, which could take the gate meant for the backfill below.
        hub.dispatchLocal(List.of(append("seen")));
        assertEquals(List.of(1L), seqs.take(1));

        store.gate = gate;
        hub.reconnected(); // the backfill reads after seq 1 and sticks there
        assertTrue(
                store.reading.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the backfill is inside its store read");
        Event live = append("live");
        Thread publisher = Thread.ofVirtual().start(() -> hub.onEvent(live));
        assertTrue(publisher.join(WAIT), "a publish of the topic waited for the backfill's store read");
        assertEquals(List.of(2L), seqs.take(1), "the live event reached the subscriber while the read was stuck");

        append("lost on the bus"); // seq 3: only the backfill read can bring it
        gate.countDown();
        assertEquals(List.of(3L), seqs.take(1), "the read's 2 was dropped as delivered, its 3 delivered");
        hub.onEvent(append("after"));
        assertEquals(List.of(4L), seqs.take(1));
        assertEquals(List.of(), seqs.drainQuietly(), "no duplicate");
        assertEquals(List.of(), List.copyOf(seqs.resets), "no reset");
        subscriber.close(CloseReason.SHUTDOWN);
    }

    private Event append(String data) {
        return store.append(List.of(new NewEvent("t", null, data, false))).getFirst();
    }
}
