package io.wirehub.store.postgres;

import static io.wirehub.store.postgres.TestStores.events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.store.Backlog;
import io.wirehub.store.EventStore;
import io.wirehub.store.Snapshot;
import io.wirehub.store.memory.MemoryEventStore;
import io.wirehub.testing.FreshSchema;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The EventStore contract on a real PostgreSQL: seqs, all-or-nothing batches, reads, snapshots. */
class PostgresEventStoreIT {
    @RegisterExtension
    static final FreshSchema schema = new FreshSchema();

    private static PostgresEventStore store;

    @BeforeAll
    static void open() {
        store = TestStores.open(schema);
    }

    @AfterAll
    static void close() {
        store.close();
    }

    /** Topics unique to the test method: the tests share one schema. */
    private static String topic(TestInfo test, String name) {
        return test.getTestMethod().orElseThrow().getName() + "." + name;
    }

    /** What a stored event is, without its time (which the two stores take from different clocks). */
    record Row(String topic, long seq, String type, String data, boolean json) {
        static List<Row> of(List<Event> events) {
            return events.stream()
                    .map(e -> new Row(e.topic(), e.seq(), e.type(), e.data(), e.json()))
                    .toList();
        }
    }

    @Test
    void appendGivesEachTopicGaplessSeqsInBatchOrder(TestInfo test) {
        String a = topic(test, "a");
        String b = topic(test, "b");
        List<Event> first = store.append(List.of(
                new NewEvent(a, null, "a1", false),
                new NewEvent(b, null, "b1", false),
                new NewEvent(a, null, "a2", false)));
        List<Event> second =
                store.append(List.of(new NewEvent(b, null, "b2", false), new NewEvent(a, null, "a3", false)));

        assertEquals(List.of(1L, 1L, 2L), first.stream().map(Event::seq).toList());
        assertEquals(List.of(2L, 3L), second.stream().map(Event::seq).toList());
        assertEquals(
                List.of("a1", "a2", "a3"),
                store.readAfter(a, 0, 10).stream().map(Event::data).toList());
        assertEquals(
                List.of(1L, 2L),
                store.readAfter(b, 0, 10).stream().map(Event::seq).toList());
    }

    @Test
    void aBatchPostgresRefusesStoresNothingOfIt(TestInfo test) {
        String good = topic(test, "good");
        String bad = topic(test, "bad");
        List<NewEvent> batch =
                List.of(new NewEvent(good, null, "fine", false), new NewEvent(bad, null, "nul \u0000 byte", false));

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> store.append(batch));

        assertTrue(refused.getMessage().startsWith("PostgreSQL refused"), refused.getMessage());
        assertEquals(0, store.latestSeq(good));
        assertEquals(0, store.latestSeq(bad));
        assertEquals(List.of(), store.readAfter(good, 0, 10));
        assertEquals(1, store.append(events(good, 1)).getFirst().seq(), "the refused batch took no seq");
    }

    @Test
    void anEmptyBatchStoresNothing(TestInfo test) {
        assertEquals(List.of(), store.append(List.of()));
        assertEquals(0, store.latestSeq(topic(test, "a")));
    }

    @Test
    void readAfterReturnsLaterEventsAscendingAtMostLimit(TestInfo test) {
        String t = topic(test, "t");
        store.append(events(t, 10));

        assertEquals(
                List.of(4L, 5L, 6L),
                store.readAfter(t, 3, 3).stream().map(Event::seq).toList());
        assertEquals(
                List.of(9L, 10L),
                store.readAfter(t, 8, 100).stream().map(Event::seq).toList());
        assertEquals(List.of(), store.readAfter(t, 10, 100));
        assertEquals(List.of(), store.readAfter(t, 50, 100));
        assertEquals(List.of(), store.readAfter(topic(test, "unknown"), 0, 100));
    }

    @Test
    void anUnknownTopicHasSeqZeroAndAnEmptySnapshot(TestInfo test) {
        String t = topic(test, "nothing");
        assertEquals(0, store.latestSeq(t));
        Snapshot snapshot = store.snapshot(t, 10, Long.MAX_VALUE);
        assertEquals(0, snapshot.seq());
        assertEquals(List.of(), snapshot.events());
    }

    @Test
    void snapshotHoldsTheLatestSeqAndTheLastEvents(TestInfo test) {
        String t = topic(test, "t");
        store.append(events(t, 7));

        Snapshot last3 = store.snapshot(t, 3, Long.MAX_VALUE);
        assertEquals(7, last3.seq());
        assertEquals(
                List.of(5L, 6L, 7L), last3.events().stream().map(Event::seq).toList());
        assertEquals(7, store.snapshot(t, 100, Long.MAX_VALUE).events().size());
        assertEquals(7, store.latestSeq(t));
    }

    @Test
    void eventsComeBackWithTheirTypeDataJsonFlagAndTime(TestInfo test) {
        String t = topic(test, "t");
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<Event> stored = store.append(List.of(
                new NewEvent(t, "price", "{\"eur\":1.5}", true),
                new NewEvent(t, null, "line one\nline two ✓ 日本", false)));

        List<Event> read = store.readAfter(t, 0, 10);
        assertEquals(Row.of(stored), Row.of(read));
        assertEquals("price", read.get(0).type());
        assertTrue(read.get(0).json());
        assertEquals(null, read.get(1).type());
        assertEquals(stored.get(0).timeMillis(), read.get(0).timeMillis());
        assertTrue(read.get(0).timeMillis() >= before.toEpochMilli(), "the time is when it was stored");
    }

    @Test
    void severalTopicsAreSizedThenReadInParallelEachWithItsOwnEvents(TestInfo test) {
        Map<String, Long> cursors = new LinkedHashMap<>();
        int topics = store.readerPermits() * 3 + 1; // more reads than connections: some wait their turn
        for (int i = 0; i < topics; i++) {
            String t = topic(test, "t" + i);
            store.append(events(t, i + 1));
            cursors.put(t, (long) i / 2);
        }
        cursors.put(topic(test, "unknown"), 0L);

        Map<String, Backlog> backlogs = store.backlogs(cursors, 5);
        Map<String, List<Event>> read = store.read(backlogs);

        assertEquals(List.copyOf(cursors.keySet()), List.copyOf(backlogs.keySet()));
        assertEquals(List.copyOf(cursors.keySet()), List.copyOf(read.keySet()));
        for (int i = 0; i < topics; i++) {
            String t = topic(test, "t" + i);
            List<Long> expected = new ArrayList<>();
            for (long seq = i / 2 + 1; seq <= i + 1 && expected.size() < 5; seq++) {
                expected.add(seq);
            }
            assertEquals(expected, read.get(t).stream().map(Event::seq).toList(), t);
            long bytes =
                    expected.stream().mapToLong(seq -> ("e" + seq).length()).sum();
            assertEquals(new Backlog(i / 2, expected.size(), bytes, expected.getLast()), backlogs.get(t), t);
        }
        assertEquals(List.of(), read.get(topic(test, "unknown")));
        assertEquals(Backlog.empty(0), backlogs.get(topic(test, "unknown")));
        assertEquals(0, store.activeConnections());
    }

    @Test
    void answersEveryReadAsTheMemoryStoreDoes(TestInfo test) {
        EventStore memory = new MemoryEventStore(100_000, InstantSource.system());
        Random random = new Random(42);
        List<String> topics = List.of(topic(test, "x"), topic(test, "y"), topic(test, "z"));
        for (int round = 0; round < 40; round++) {
            List<NewEvent> batch = new ArrayList<>();
            for (int i = random.nextInt(4) + 1; i > 0; i--) {
                String t = topics.get(random.nextInt(topics.size()));
                batch.add(
                        random.nextBoolean()
                                ? new NewEvent(t, "kind" + i, "{\"r\":" + round + "}", true)
                                : new NewEvent(
                                        t, null, "round " + round + " ✓ 日本 ä 😀", false)); // 1 to 4 bytes a character
            }
            assertEquals(Row.of(memory.append(batch)), Row.of(store.append(batch)));
            String t = topics.get(random.nextInt(topics.size()));
            long after = random.nextInt(20) - 2;
            int limit = random.nextInt(10) + 1;
            assertEquals(Row.of(memory.readAfter(t, after, limit)), Row.of(store.readAfter(t, after, limit)));
            assertEquals(memory.latestSeq(t), store.latestSeq(t));
            long maxBytes = random.nextBoolean() ? Long.MAX_VALUE : random.nextInt(60);
            Snapshot expected = memory.snapshot(t, limit, maxBytes);
            Snapshot actual = store.snapshot(t, limit, maxBytes);
            assertEquals(expected.seq(), actual.seq());
            assertEquals(Row.of(expected.events()), Row.of(actual.events()), "at most " + maxBytes + " bytes");
            assertEquals(expected.truncated(), actual.truncated(), "at most " + maxBytes + " bytes");
            Map<String, Long> cursors = Map.of(t, after);
            assertEquals(memory.backlogs(cursors, limit), store.backlogs(cursors, limit));
        }
    }

    @Test
    void isHealthyWhilePostgresAnswers() {
        assertTrue(store.isHealthy());
    }
}
