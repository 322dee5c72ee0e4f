package io.wirehub.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.Load;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Many publishers, one or two instances, one topic: seqs stay gapless, unique and in each caller's order. */
@Load
class PostgresConcurrencyIT {
    private static final int APPENDS_PER_PUBLISHER = 150;

    @RegisterExtension
    final FreshSchema schema = new FreshSchema();

    @Test
    void sixteenConcurrentPublishersGetGaplessSeqsInTheirOwnOrder() throws Exception {
        try (PostgresEventStore store = TestStores.open(schema)) {
            Map<String, List<Event>> byPublisher = publishConcurrently(List.of(store), 16, List.of("one"));

            assertGaplessAndInPublisherOrder(store, "one", byPublisher);
            assertEquals(0, store.activeConnections());
        }
    }

    @Test
    void twoInstancesOnOneSchemaShareOneGaplessSequencePerTopic() throws Exception {
        try (PostgresEventStore first = TestStores.open(schema);
                PostgresEventStore second = TestStores.open(schema)) {
            // Batches span both topics in both orders: the sorted row locks keep them from deadlocking.
            Map<String, List<Event>> byPublisher = publishConcurrently(List.of(first, second), 8, List.of("a", "b"));

            assertGaplessAndInPublisherOrder(first, "a", byPublisher);
            assertGaplessAndInPublisherOrder(second, "b", byPublisher);
        }
    }

    /**
     * Each publisher appends batches of 1 to 3 events, cycling through the topics (reversed for odd
     * publishers), data "p<publisher>-<n>"; returns what each publisher got back, in its order.
     */
    private static Map<String, List<Event>> publishConcurrently(
            List<PostgresEventStore> stores, int publishers, List<String> topics) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        Map<String, Future<List<Event>>> results = new HashMap<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int p = 0; p < publishers; p++) {
                String name = "p" + p;
                PostgresEventStore store = stores.get(p % stores.size());
                List<String> order = p % 2 == 0 ? topics : topics.reversed();
                results.put(name, threads.submit(() -> {
                    go.await();
                    List<Event> got = new ArrayList<>();
                    int n = 0;
                    for (int i = 0; i < APPENDS_PER_PUBLISHER; i++) {
                        List<NewEvent> batch = new ArrayList<>();
                        for (int k = 0; k <= i % 3; k++) {
                            batch.add(new NewEvent(order.get(n % order.size()), null, name + "-" + n++, false));
                        }
                        got.addAll(store.append(batch));
                    }
                    return got;
                }));
            }
            go.countDown();
        }
        Map<String, List<Event>> byPublisher = new HashMap<>();
        for (Map.Entry<String, Future<List<Event>>> result : results.entrySet()) {
            byPublisher.put(result.getKey(), result.getValue().get());
        }
        return byPublisher;
    }

    private static void assertGaplessAndInPublisherOrder(
            PostgresEventStore store, String topic, Map<String, List<Event>> byPublisher) {
        List<Event> returned = byPublisher.values().stream()
                .flatMap(List::stream)
                .filter(event -> event.topic().equals(topic))
                .toList();
        List<Long> seqs = returned.stream().map(Event::seq).sorted().toList();
        assertEquals(
                LongStream.rangeClosed(1, returned.size()).boxed().toList(), seqs, "seqs 1..N, no gap, no duplicate");

        List<Event> stored = store.readAfter(topic, 0, returned.size() + 10);
        assertEquals(returned.size(), stored.size());
        assertEquals(returned.size(), store.latestSeq(topic));
        Map<Long, String> dataBySeq = returned.stream().collect(Collectors.toMap(Event::seq, Event::data));
        stored.forEach(
                event -> assertEquals(dataBySeq.get(event.seq()), event.data(), "what was acknowledged is stored"));

        byPublisher.forEach((publisher, events) -> {
            List<Event> mine =
                    events.stream().filter(event -> event.topic().equals(topic)).toList();
            for (int i = 1; i < mine.size(); i++) {
                assertTrue(mine.get(i).seq() > mine.get(i - 1).seq(), publisher + "'s events keep its order");
            }
        });
    }
}
