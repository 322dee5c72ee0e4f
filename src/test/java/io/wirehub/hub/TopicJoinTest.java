package io.wirehub.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.event.NewEvent;
import io.wirehub.testing.Eventually;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Joining topics: what it costs the store, and that a failed or abandoned join leaves nothing behind. */
class TopicJoinTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final HubSettings SETTINGS = new HubSettings(
            64,
            64,
            100,
            OverflowPolicy.CATCH_UP,
            Duration.ofSeconds(15),
            Duration.ofSeconds(10),
            Duration.ofSeconds(10),
            Duration.ofSeconds(1));

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final CountingStore store = new CountingStore();
    private final Hub hub = new Hub(store, SETTINGS, now::get);

    @AfterEach
    void openTheGate() {
        store.gate.countDown();
    }

    @Test
    void subscribesToNewTopicsReadTheStoreTwoAtATimeInstanceWide() throws Exception {
        List<RecordingSink> sinks = new ArrayList<>();
        List<Subscriber> subscribers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            RecordingSink sink = new RecordingSink(false);
            subscribers.add(started(sink));
            sinks.add(sink);
        }
        store.gated = true;
        for (int i = 0; i < 4; i++) {
            subscribers.get(i).follow("new." + i);
        }
        Eventually.await(
                "two joins inside a store read, two waiting for a permit",
                WAIT,
                () -> store.inFlight.get() == 2 && hub.joinReads().getQueueLength() == 2);
        store.gate.countDown();
        for (int i = 0; i < 4; i++) {
            assertEquals("+new." + i + "@0", sinks.get(i).topicChanges.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        }
        assertEquals(2, store.maxInFlight.get(), "never more than two at once");
    }

    @Test
    void subscribingToATopicThisInstanceServesReadsNoStore() throws Exception {
        RecordingSink firstSink = new RecordingSink(false);
        Subscriber first = started(firstSink);
        first.follow("busy");
        assertEquals("+busy@0", firstSink.topicChanges.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        hub.dispatchLocal(store.append(List.of(new NewEvent("busy", null, "x", false)))); // committed here
        RecordingSink sink = new RecordingSink(false);
        Subscriber second = started(sink);
        int readsBefore = store.latestSeqCalls.get();
        second.follow("busy");
        assertEquals(
                "+busy@1",
                sink.topicChanges.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS),
                "starts after the hub's last seq");
        assertEquals(readsBefore, store.latestSeqCalls.get(), "no store read for it");
    }

    @Test
    void aForgedFirstBusEventDoesNotPositionTheStreamsThatJoinAfterIt() throws Exception {
        RecordingSink firstSink = new RecordingSink(false);
        Subscriber first = started(firstSink);
        first.follow("muted");
        assertEquals("+muted@0", firstSink.topicChanges.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        // The channel has dispatched nothing yet; a bus message claims a seq the store never gave.
        hub.onEvent(new io.wirehub.event.Event("muted", 1_000_000, null, "forged", false, 0));

        RecordingSink sink = new RecordingSink(false);
        Subscriber joined = started(sink);
        joined.follow("muted");
        assertEquals(
                "+muted@0",
                sink.topicChanges.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS),
                "starts where the store is, not at the forged seq");
        Eventually.await("the hub took the claim back", WAIT, () -> hub.stats().unstoredDropped() >= 1);

        hub.dispatchLocal(store.append(List.of(new NewEvent("muted", null, "real", false))));
        assertEquals(
                List.of(1L),
                sink.take(1),
                "the topic's first real event reaches the stream that joined after the forgery");
        assertEquals(List.of(1L), firstSink.take(1), "and the one that was there before it");
    }

    @Test
    void aPositionThatFailsInAnyWayLeavesNothingInTheHub() {
        store.failing = true;
        Subscriber subscriber =
                hub.subscriber(Transport.WS, List.of("t"), Map.of(), Set.of(), new RecordingSink(false));
        assertThrows(IllegalArgumentException.class, subscriber::position, "what the store threw");
        assertTrue(subscriber.isClosed());
        assertEquals(0, hub.subscribers().size());
        assertEquals(0, hub.activeTopics());
    }

    @Test
    void aWebSocketPositionedButNeverOpenedIsClosedAfterTheOpenDeadline() throws Exception {
        Subscriber subscriber =
                hub.subscriber(Transport.WS, List.of("t"), Map.of(), Set.of(), new RecordingSink(false));
        subscriber.position(); // onHttpUpgrade did this; the 101 then failed and onOpen never came
        Ticker ticker = new Ticker(hub, now::get, Duration.ofSeconds(1));
        now.addAndGet(Duration.ofMillis(1900).toNanos());
        ticker.tick();
        assertEquals(1, hub.subscribers().size(), "still within the open deadline");
        now.addAndGet(Duration.ofMillis(200).toNanos());
        ticker.tick();
        assertTrue(subscriber.isClosed());
        assertEquals(0, hub.subscribers().size());
        assertEquals(0, hub.activeTopics());
    }

    @Test
    void aWebSocketWhoseOpenCameIsNotClosedWhileItsDrainThreadWaitsToRun() throws Exception {
        Subscriber subscriber =
                hub.subscriber(Transport.WS, List.of("t"), Map.of(), Set.of(), new RecordingSink(false));
        subscriber.position();
        subscriber.upgradeCompleted(); // onOpen came; its drain thread has not run yet (a saturated machine)
        Ticker ticker = new Ticker(hub, now::get, Duration.ofSeconds(1));
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        ticker.tick();
        assertFalse(subscriber.isClosed(), "the open deadline is for an upgrade that never completed");
        assertEquals(1, hub.subscribers().size());
    }

    private Subscriber started(RecordingSink sink) throws InterruptedException {
        Subscriber subscriber = hub.subscriber(Transport.WS, List.of("home"), Map.of(), Set.of(), sink);
        Thread.ofVirtual().start(subscriber::run);
        assertTrue(sink.flushed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the stream opened");
        assertNotNull(subscriber);
        return subscriber;
    }

    /** A memory store that counts latest-seq reads, can hold them at a gate, or fail them. */
    private static final class CountingStore extends WrappedStore {
        final AtomicInteger latestSeqCalls = new AtomicInteger();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final CountDownLatch gate = new CountDownLatch(1);
        volatile boolean gated;
        volatile boolean failing;

        @Override
        public long latestSeq(String topic) {
            latestSeqCalls.incrementAndGet();
            if (failing) {
                throw new IllegalArgumentException("PostgreSQL refused to read the latest seq: permission denied");
            }
            if (!gated) {
                return super.latestSeq(topic);
            }
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                gate.await();
            } catch (InterruptedException e) {
                throw new AssertionError("a store read was interrupted", e);
            } finally {
                inFlight.decrementAndGet();
            }
            return super.latestSeq(topic);
        }
    }
}
