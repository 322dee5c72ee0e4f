package io.wirehub.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.event.Reset;
import io.wirehub.testing.Eventually;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The backfill after a Redis reconnect: a slow store read holds up no publisher of the topic. */
class HubBackfillTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final GatedStore store = new GatedStore();
    private final CountDownLatch gate = new CountDownLatch(1);
    private final Hub hub = new Hub(store, new HubSettings(64, 64, 100, OverflowPolicy.CATCH_UP, Duration.ofSeconds(15),
            Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(1)), () -> 0L);
    private final Seqs seqs = new Seqs();

    @AfterEach
    void openTheStore() {
        gate.countDown(); // whatever failed, no thread stays stuck in a read
    }

    @Test
    void aPublishDuringTheBackfillReadIsDeliveredAtOnceAndTheReadAddsOnlyWhatCameAfter() throws Exception {
        Subscriber subscriber = hub.subscriber("test", List.of("t"), Map.of(), seqs);
        Thread.ofVirtual().start(subscriber::run);
        assertTrue(seqs.opened.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        Eventually.await("the subscriber joined its topic", WAIT, () -> hub.activeTopics() == 1);
        hub.onEvent(append("seen"));
        assertEquals(List.of(1L), seqs.take(1));

        store.gate = gate;
        hub.reconnected(); // the backfill reads after seq 1 and sticks there
        assertTrue(store.reading.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the backfill is inside its store read");
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
        subscriber.close(CloseReason.SHUTDOWN);
    }

    private Event append(String data) {
        return store.append(List.of(new NewEvent("t", null, data, false))).getFirst();
    }

    /** Records the seqs a stream writes, in order. */
    private static final class Seqs implements SubscriberSink {
        final BlockingQueue<Long> written = new LinkedBlockingQueue<>();
        final CountDownLatch opened = new CountDownLatch(1);

        @Override
        public void open() {
            opened.countDown();
        }

        @Override
        public void event(Event event, String cursorToken) {
            written.add(event.seq());
        }

        @Override
        public void reset(Reset reset, String cursorToken) {
            written.add(-1L); // no reset is expected: it would show as -1 among the seqs
        }

        @Override
        public boolean heartbeat() {
            return false;
        }

        @Override
        public void flush() {}

        @Override
        public void finish(CloseReason reason, long retryMillis) {}

        List<Long> take(int count) throws InterruptedException {
            List<Long> out = new ArrayList<>();
            while (out.size() < count) {
                Long seq = written.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                if (seq == null) {
                    throw new AssertionError("got only " + out);
                }
                out.add(seq);
            }
            return out;
        }

        List<Long> drainQuietly() throws InterruptedException {
            List<Long> out = new ArrayList<>();
            Long seq;
            while ((seq = written.poll(100, TimeUnit.MILLISECONDS)) != null) {
                out.add(seq);
            }
            return out;
        }
    }
}
