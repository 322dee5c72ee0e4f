package io.wirehub.store.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.store.Snapshot;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class MemoryEventStoreTest {
    private final MemoryEventStore store = new MemoryEventStore(10, InstantSource.system());

    @Test
    void seqsArePerTopicAndGapless() {
        List<Event> stored = store.append(List.of(event("a"), event("b"), event("a")));
        assertEquals(List.of(1L, 1L, 2L), stored.stream().map(Event::seq).toList());
        assertEquals(2, store.latestSeq("a"));
        assertEquals(0, store.latestSeq("none"));
    }

    @Test
    void readAfterReturnsAscendingEventsUpToTheLimit() {
        for (int i = 0; i < 5; i++) {
            store.append(List.of(event("a")));
        }
        assertEquals(List.of(3L, 4L), seqs(store.readAfter("a", 2, 2)));
        assertEquals(List.of(), seqs(store.readAfter("a", 5, 10)));
    }

    @Test
    void eventsPastRetentionAreGoneButSeqsKeepCounting() {
        for (int i = 0; i < 25; i++) {
            store.append(List.of(event("a")));
        }
        List<Event> after = store.readAfter("a", 3, 100);
        assertEquals(16, after.getFirst().seq(), "the first kept seq is above cursor + 1: the caller's cue to reset");
        assertEquals(10, after.size());
        assertEquals(25, store.latestSeq("a"));
    }

    @Test
    void snapshotHasTheLatestSeqAndLastEvents() {
        for (int i = 0; i < 7; i++) {
            store.append(List.of(event("a")));
        }
        Snapshot snapshot = store.snapshot("a", 3, Long.MAX_VALUE);
        assertEquals(7, snapshot.seq());
        assertEquals(List.of(5L, 6L, 7L), seqs(snapshot.events()));
    }

    @Test
    void concurrentPublishersGetGaplessDistinctSeqs() throws Exception {
        List<Long> seqs = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        MemoryEventStore big = new MemoryEventStore(100_000, InstantSource.system());
        List<Thread> threads = IntStream.range(0, 8)
                .mapToObj(i -> Thread.ofVirtual().start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int n = 0; n < 500; n++) {
                        big.append(List.of(event("shared"), event("other" + i))).stream()
                                .filter(e -> e.topic().equals("shared"))
                                .forEach(e -> seqs.add(e.seq()));
                    }
                }))
                .toList();
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(
                LongStream.rangeClosed(1, 4000).boxed().toList(),
                seqs.stream().sorted().toList());
    }

    @Test
    void publishingFarPastTheByteBudgetEvictsTheOldestEventsAndStaysUnderIt() {
        long budget = 1 << 20;
        MemoryEventStore bounded = new MemoryEventStore(10_000, budget, 100_000, InstantSource.system());
        String data = "x".repeat(1000);
        for (int i = 0; i < 5000; i++) { // about 15 MB of estimated cost
            bounded.append(List.of(new NewEvent("flood." + (i % 300), null, data, false)));
            assertTrue(bounded.bytes() <= budget, "over the budget after publish " + i + ": " + bounded.bytes());
        }
        assertTrue(bounded.bytes() > budget - 10_000, "only what did not fit was evicted");
        assertEquals(
                List.of(),
                bounded.readAfter("flood.0", 0, 10).stream()
                        .filter(e -> e.seq() < 10)
                        .toList(),
                "the oldest events went first");
        List<Event> newest = bounded.readAfter("flood.299", 0, 100);
        assertEquals(16, newest.getLast().seq(), "the newest events are kept");
        assertEquals(
                newest.getLast().seq() - newest.size() + 1, newest.getFirst().seq(), "what is kept has no hole");
    }

    @Test
    void aTopicWhoseEventsWereAllEvictedContinuesItsSeqs() {
        MemoryEventStore bounded = new MemoryEventStore(10_000, 1 << 20, 100_000, InstantSource.system());
        bounded.append(List.of(event("quiet"), event("quiet"), event("quiet")));
        String data = "x".repeat(10_000);
        for (int i = 0; i < 200; i++) {
            bounded.append(List.of(new NewEvent("loud", null, data, false)));
        }
        assertEquals(List.of(), bounded.readAfter("quiet", 0, 10), "evicted");
        assertEquals(3, bounded.latestSeq("quiet"));
        assertEquals(4, bounded.append(List.of(event("quiet"))).getFirst().seq());
    }

    @Test
    void pastTheTopicCapEmptyTopicsAreForgottenAndNewTopicsStartAboveTheirSeqs() {
        MemoryEventStore bounded = new MemoryEventStore(10_000, 1 << 20, 50, InstantSource.system());
        for (int i = 0; i < 7; i++) {
            bounded.append(List.of(event("first")));
        }
        for (int i = 0; i < 1000; i++) {
            bounded.append(List.of(event("random." + i)));
            assertTrue(bounded.topicCount() <= 50, "topics: " + bounded.topicCount());
        }
        assertEquals(List.of(), bounded.readAfter("first", 0, 10), "forgotten");
        long next = bounded.append(List.of(event("first"))).getFirst().seq();
        assertTrue(next > 7, "a forgotten topic never restarts below a cursor a client may hold: got seq " + next);
        assertEquals(next, bounded.latestSeq("first"));
        assertTrue(
                bounded.latestSeq("never.seen") >= 7,
                "an unknown topic reports the floor, so a cursor of it is not ahead");
    }

    @Test
    void aFollowedTopicKeepsItsSeqWhileOtherTopicsAreForgottenAndAfterItIsForgottenItself() {
        MemoryEventStore bounded = new MemoryEventStore(10_000, 1 << 20, 2, InstantSource.system());
        bounded.follow("quiet");
        bounded.follow("busy");
        assertEquals(0, bounded.latestSeq("quiet"), "a subscriber starts here");
        for (int i = 0; i < 3; i++) {
            bounded.append(List.of(event("busy")));
        }
        for (int i = 0; i < 100; i++) {
            bounded.append(List.of(event("random." + i)));
        }
        assertTrue(bounded.latestSeq("never.seen") > 0, "the floor rose");
        assertEquals(0, bounded.latestSeq("quiet"), "not with the floor: its subscriber missed nothing");
        assertEquals(1, bounded.append(List.of(event("quiet"))).getFirst().seq(), "its next seq, not a jump");
        assertEquals(List.of(), bounded.readAfter("busy", 0, 10), "forgotten");
        assertEquals(3, bounded.latestSeq("busy"), "a followed topic comes back where it was");
        assertEquals(4, bounded.append(List.of(event("busy"))).getFirst().seq());

        bounded.unfollow("busy");
        for (int i = 100; i < 200; i++) {
            bounded.append(List.of(event("random." + i)));
        }
        assertTrue(bounded.append(List.of(event("busy"))).getFirst().seq() > 4, "unfollowed: above the floor again");
    }

    @Test
    void aRingGrowsAndShrinksWithoutAHole() {
        MemoryEventStore small = new MemoryEventStore(100, InstantSource.system());
        for (int i = 0; i < 250; i++) {
            small.append(List.of(event("a")));
        }
        assertEquals(LongStream.rangeClosed(151, 250).boxed().toList(), seqs(small.readAfter("a", 0, 1000)));
    }

    private static NewEvent event(String topic) {
        return new NewEvent(topic, null, "d", false);
    }

    private static List<Long> seqs(List<Event> events) {
        return events.stream().map(Event::seq).toList();
    }
}
