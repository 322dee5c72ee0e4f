package io.wirehub.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.event.Reset;
import io.wirehub.event.ResetReason;
import io.wirehub.store.memory.MemoryEventStore;
import io.wirehub.testing.Eventually;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The drain loop and its deadlines, with a clock the test moves (no sleeping for timeouts). */
class SubscriberTest {
    private static final Duration HEARTBEAT = Duration.ofSeconds(15);
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration PONG_TIMEOUT = Duration.ofSeconds(5);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final MemoryEventStore store = new MemoryEventStore(1000, InstantSource.system());
    private final Hub hub = new Hub(
            store,
            new HubSettings(
                    4, 4, 100, OverflowPolicy.CATCH_UP, HEARTBEAT, WRITE_TIMEOUT, PONG_TIMEOUT, Duration.ofSeconds(1)),
            now::get);
    private final Ticker ticker = new Ticker(hub, now::get, Duration.ofSeconds(1));

    @Test
    void unansweredHeartbeatClosesTheStreamAfterThePongTimeout() throws Exception {
        RecordingSink sink = new RecordingSink(true);
        Subscriber subscriber = pingedSubscriber(sink);
        now.addAndGet(PONG_TIMEOUT.toNanos() - 1);
        ticker.tick();
        assertFalse(subscriber.isClosed(), "still within the pong timeout");
        now.addAndGet(2);
        ticker.tick();
        assertTrue(subscriber.isClosed());
        assertEquals(1, hub.stats().closes(CloseReason.PONG_TIMEOUT));
        assertTrue(sink.finished.await(5, TimeUnit.SECONDS), "the drain loop ended the connection");
    }

    @Test
    void answeredHeartbeatKeepsTheStreamOpen() throws Exception {
        RecordingSink sink = new RecordingSink(true);
        Subscriber subscriber = pingedSubscriber(sink);
        subscriber.heartbeatAcknowledged();
        now.addAndGet(PONG_TIMEOUT.toNanos() * 2);
        ticker.tick();
        assertFalse(subscriber.isClosed());
    }

    @Test
    void writeBlockedPastTheWriteTimeoutIsCutOff() throws Exception {
        RecordingSink sink = new RecordingSink(false);
        sink.blockWrites = true;
        Subscriber subscriber = startedSubscriber("t", sink);
        hub.onEvent(store.append(List.of(new NewEvent("t", null, "x", false))).getFirst());
        assertTrue(sink.writeStarted.await(5, TimeUnit.SECONDS));
        now.addAndGet(WRITE_TIMEOUT.toNanos() + 1);
        ticker.tick();
        assertTrue(subscriber.isClosed());
        assertEquals(1, hub.stats().closes(CloseReason.WRITE_TIMEOUT));
        assertTrue(sink.finished.await(5, TimeUnit.SECONDS), "the blocked write was interrupted and the loop ended");
        Eventually.await(
                "the drain loop gone", Duration.ofSeconds(5), () -> hub.stats().drainLoops() == 0);
    }

    @Test
    void theFinalWriteOfAClosedStreamIsCutOffPastTheWriteTimeout() throws Exception {
        RecordingSink sink = new RecordingSink(false);
        sink.blockFinish = true; // the closing chunk or close frame meets a client that stopped reading
        Subscriber subscriber = startedSubscriber("t", sink);
        subscriber.close(CloseReason.OVERFLOW);
        assertTrue(sink.finishStarted.await(5, TimeUnit.SECONDS), "the drain loop began its last write");
        now.addAndGet(WRITE_TIMEOUT.toNanos() - 1);
        ticker.tick();
        assertFalse(sink.finished.await(100, TimeUnit.MILLISECONDS), "still within the write timeout");
        now.addAndGet(2);
        ticker.tick();
        assertTrue(sink.finished.await(5, TimeUnit.SECONDS), "the stuck last write was interrupted");
        Eventually.await(
                "the drain loop gone", Duration.ofSeconds(5), () -> hub.stats().drainLoops() == 0);
    }

    @Test
    void aHoleInsideAStoredPageGivesAResetInsteadOfASilentJump() throws Exception {
        HoledStore holed = new HoledStore(5);
        Hub holedHub = new Hub(holed, hub.settings(), now::get);
        RecordingSink sink = new RecordingSink(false);
        openedOn(holedHub, sink);
        List<Event> stored = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            stored.add(holed.append(List.of(new NewEvent("t", null, "e" + i, false)))
                    .getFirst());
        }
        holedHub.onEvent(stored.get(0));
        assertEquals(List.of(1L), sink.take(1));
        holedHub.onEvent(stored.get(6)); // 2..6 lost on the bus; the store lost 5
        now.addAndGet(TopicChannel.GAP_WAIT.toNanos() + 1);
        new Ticker(holedHub, now::get, Duration.ofSeconds(1)).tick();
        assertEquals(List.of(2L, 3L, 4L), sink.take(3), "what is stored before the hole");
        Reset reset = sink.resets.poll(5, TimeUnit.SECONDS);
        assertNotNull(reset, "a reset for the hole");
        assertEquals(new Reset("t", 7, ResetReason.RETENTION), reset);
        assertEquals(List.of(), sink.drainQuietly(), "6 was not written past the hole, and 7 is covered by the reset");
    }

    @Test
    void aBusEventWithASeqTheStoreNeverGaveIsDroppedAndDoesNotMuteTheTopic() throws Exception {
        RecordingSink sink = new RecordingSink(false);
        startedSubscriber("t", sink);
        hub.onEvent(
                store.append(List.of(new NewEvent("t", null, "real", false))).getFirst());
        assertEquals(List.of(1L), sink.take(1));
        hub.onEvent(new Event("t", 1_000_000, null, "forged on the Redis channel", false, 0));
        now.addAndGet(TopicChannel.GAP_WAIT.toNanos() + 1);
        ticker.tick(); // the gap did not fill: passed on, checked by the subscriber and the hub
        Eventually.await(
                "dropped by the subscriber and taken back by the hub",
                Duration.ofSeconds(5),
                () -> hub.stats().unstoredDropped() == 2);
        hub.onEvent(store.append(List.of(new NewEvent("t", null, "real again", false)))
                .getFirst());
        assertEquals(List.of(2L), sink.take(1), "the topic's real events still arrive");
        assertEquals(List.of(), List.copyOf(sink.resets), "nothing was missed, so no reset");
    }

    @Test
    void lateDuplicateAndOutOfOrderEventsAreDeliveredOnceInOrder() throws Exception {
        RecordingSink sink = new RecordingSink(false);
        startedSubscriber("t", sink);
        List<Event> stored = storeThree();
        hub.onEvent(stored.get(0));
        hub.onEvent(stored.get(2)); // ahead of a gap: held
        hub.onEvent(stored.get(1)); // the late one: delivered, then the held one
        hub.onEvent(stored.get(2)); // duplicate
        assertEquals(List.of(1L, 2L, 3L), sink.take(3));
        assertEquals(List.of(), sink.drainQuietly());
        assertEquals(1, hub.stats().duplicatesDropped());
        assertEquals(0, hub.stats().backfilled(), "crossed deliveries need no store read");
        assertEquals(List.of(), List.copyOf(sink.resets), "no reset where nothing was lost");
    }

    @Test
    void aGapThatNoLaterEventFillsIsPassedOnAfterTheWaitAndTheSubscriberReadsIt() throws Exception {
        RecordingSink sink = new RecordingSink(false);
        startedSubscriber("t", sink);
        List<Event> stored = storeThree();
        hub.onEvent(stored.get(0));
        hub.onEvent(stored.get(2)); // seq 2 was lost on the way
        assertEquals(List.of(1L), sink.take(1));
        now.addAndGet(TopicChannel.GAP_WAIT.toNanos() - 1);
        ticker.tick();
        assertEquals(List.of(), sink.drainQuietly(), "still waiting for the missing event");
        now.addAndGet(2);
        ticker.tick();
        assertEquals(List.of(2L, 3L), sink.take(2), "the subscriber read 2 from the store before writing 3");
        assertEquals(0, hub.stats().backfilled(), "the ticker's thread did not read the store");
        assertEquals(List.of(), List.copyOf(sink.resets), "the gap was filled, not reset");
    }

    @Test
    void aStreamThatRegistersAfterShutdownBeganIsClosedAtOnce() throws Exception {
        hub.closeAll(CloseReason.SHUTDOWN);
        RecordingSink sink = new RecordingSink(false);
        Thread.ofVirtual().start(hub.subscriber(Transport.SSE, List.of("t"), Map.of(), Set.of(), sink)::run);
        assertTrue(sink.finished.await(5, TimeUnit.SECONDS), "ended without waiting for a later close");
        assertEquals(1, hub.stats().closes(CloseReason.SHUTDOWN));
        assertEquals(0, hub.activeTopics());
        assertEquals(1, sink.opened.getCount(), "it never opened");
    }

    @Test
    void closeIsIdempotentAndCountedOnce() throws Exception {
        RecordingSink sink = new RecordingSink(false);
        Subscriber subscriber = startedSubscriber("t", sink);
        assertTrue(subscriber.close(CloseReason.CLIENT_GONE));
        assertFalse(subscriber.close(CloseReason.SHUTDOWN));
        assertTrue(sink.finished.await(5, TimeUnit.SECONDS));
        assertEquals(1, hub.stats().closes(CloseReason.CLIENT_GONE));
        assertEquals(0, hub.stats().closes(CloseReason.SHUTDOWN));
        assertEquals(0, hub.stats().subscribers());
        assertEquals(0, hub.activeTopics());
    }

    @Test
    void afterARedisReconnectAQuietTopicTooFarBehindForTheHubIsCaughtUpBySubscribers() throws Exception {
        RecordingSink sink = new RecordingSink(false);
        startedSubscriber("t", sink);
        hub.onEvent(
                store.append(List.of(new NewEvent("t", null, "seen", false))).getFirst());
        assertEquals(List.of(1L), sink.take(1));
        for (int i = 0; i < 150; i++) { // lost on the bus: more than replay_limit (100)
            store.append(List.of(new NewEvent("t", null, "lost", false)));
        }
        hub.reconnected();
        assertEquals(
                java.util.stream.LongStream.rangeClosed(2, 151).boxed().toList(),
                sink.take(150),
                "no later event comes, yet the subscriber gets every missed one");
    }

    @Test
    void aCloseDuringAStoreReadIsFollowedByNoWriteAndTheLoopEnds() throws Exception {
        GatedStore gated = new GatedStore();
        Hub gatedHub = new Hub(gated, hub.settings(), now::get);
        RecordingSink sink = new RecordingSink(false);
        Subscriber subscriber = openedOn(gatedHub, sink);
        gated.append(List.of(new NewEvent("t", null, "x", false)));
        CountDownLatch gate = new CountDownLatch(1);
        gated.gate = gate;
        gatedHub.reconnected(); // nothing dispatched yet: the subscriber reads the store itself
        assertTrue(gated.reading.await(5, TimeUnit.SECONDS), "the drain thread is inside a store read");
        subscriber.close(CloseReason.SHUTDOWN);
        gate.countDown();
        assertTrue(sink.finished.await(5, TimeUnit.SECONDS), "the loop ended");
        assertEquals(List.of(), sink.drainQuietly(), "nothing was written after the close");
    }

    @Test
    void aTopicJoinedWhileTheStreamClosesLeavesNoHubEntry() throws Exception {
        GatedStore gated = new GatedStore();
        Hub gatedHub = new Hub(gated, hub.settings(), now::get);
        RecordingSink sink = new RecordingSink(false);
        Subscriber subscriber = openedOn(gatedHub, sink);
        CountDownLatch gate = new CountDownLatch(1);
        gated.gate = gate;
        subscriber.follow("joined"); // the drain thread joins the hub, then blocks reading the latest seq
        assertTrue(gated.reading.await(5, TimeUnit.SECONDS));
        subscriber.close(CloseReason.CLIENT_CLOSED);
        gate.countDown();
        assertTrue(sink.finished.await(5, TimeUnit.SECONDS));
        Eventually.await("no topic entry left", Duration.ofSeconds(5), () -> gatedHub.activeTopics() == 0);
    }

    private List<Event> storeThree() {
        List<Event> stored = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            stored.add(store.append(List.of(new NewEvent("t", null, "e" + i, false)))
                    .getFirst());
        }
        return stored;
    }

    private static Subscriber openedOn(Hub target, RecordingSink sink) throws InterruptedException {
        Subscriber subscriber = target.subscriber(Transport.SSE, List.of("t"), Map.of(), Set.of(), sink);
        Thread.ofVirtual().start(subscriber::run);
        assertTrue(sink.flushed.await(5, TimeUnit.SECONDS), "the stream opened");
        return subscriber;
    }

    /** A memory store that lost one event, as retention with skewed clocks can. */
    private static final class HoledStore extends WrappedStore {
        final long lost;

        HoledStore(long lost) {
            this.lost = lost;
        }

        @Override
        public List<Event> readAfter(String topic, long afterSeq, int limit) {
            return super.readAfter(topic, afterSeq, limit).stream()
                    .filter(event -> event.seq() != lost)
                    .toList();
        }
    }

    /** A started stream whose heartbeat came due, was sent, and now awaits its pong. */
    private Subscriber pingedSubscriber(RecordingSink sink) throws InterruptedException {
        Subscriber subscriber = startedSubscriber("t", sink);
        now.addAndGet(HEARTBEAT.toNanos());
        ticker.tick();
        assertTrue(sink.heartbeats.await(5, TimeUnit.SECONDS), "heartbeat sent when due");
        Eventually.await("the ping is recorded", Duration.ofSeconds(5), subscriber::awaitingAck);
        return subscriber;
    }

    private Subscriber startedSubscriber(String topic, RecordingSink sink) throws InterruptedException {
        Subscriber subscriber = hub.subscriber(Transport.SSE, List.of(topic), Map.of(), Set.of(), sink);
        Thread.ofVirtual().start(subscriber::run);
        assertTrue(sink.opened.await(5, TimeUnit.SECONDS));
        Eventually.await("the subscriber joined its topic", Duration.ofSeconds(5), () -> hub.activeTopics() > 0);
        assertTrue(sink.flushed.await(5, TimeUnit.SECONDS), "the stream opened and flushed");
        Eventually.await("the opening write done", Duration.ofSeconds(5), () -> !subscriber.writing());
        return subscriber;
    }
}
