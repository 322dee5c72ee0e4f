package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.app.WireHub;
import io.wirehub.store.postgres.PostgresEventStore;
import io.wirehub.testing.Census;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.Http;
import io.wirehub.testing.Load;
import io.wirehub.testing.ResumingClient;
import io.wirehub.testing.Slow;
import io.wirehub.testing.SteadyRate;
import io.wirehub.testing.TestHubs;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A soak: steady publishing to 200 topics (PostgreSQL store) read by 2,000 subscribers (half SSE,
 * half WebSocket), 1 % of which drop and reconnect with their last id every second. Sampled every
 * few seconds: heap after GC, the server's threads, open files and pooled connections in use stay
 * flat (their slope is reported), and no subscriber ever sees a gap or a duplicate.
 *
 * <p>CI runs 1 minute; {@code -Dwirehub.soak.minutes=30} for the full soak.
 */
@Slow
@Load
class SoakLeakTest {
    private static final Duration LENGTH = Duration.ofMinutes(Integer.getInteger("wirehub.soak.minutes", 1));
    private static final int SUBSCRIBERS = 2000;
    private static final int TOPICS = 200;
    private static final double BATCHES_PER_SECOND = 2; // one event per topic each: 400 events/s, 4,000 deliveries/s
    private static final double CHURN_PER_SECOND = SUBSCRIBERS / 100.0;
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(5);
    private static final long HEAP_GROWTH_BOUND = 32L << 20;
    private static final int THREAD_GROWTH_BOUND = 50; // connections being replaced at the moment of a sample
    private static final int OPEN_FILES_GROWTH_BOUND = 60;

    @RegisterExtension
    static final FreshSchema schema = new FreshSchema();

    private record Sample(double minutes, double heapMb, int threads, long openFiles, long poolActive) {}

    @Test
    void steadyPublishingWithOnePercentChurnPerSecondLeavesHeapThreadsFilesAndPoolFlatWithoutAGap() throws Exception {
        Map<String, String> env = new HashMap<>(schema.env());
        env.put("WH_MAX_CONNECTIONS", String.valueOf(2 * SUBSCRIBERS + 100));
        List<String> topics =
                IntStream.range(0, TOPICS).mapToObj(t -> "soak." + t).toList();
        List<ResumingClient> clients = new ArrayList<>();
        AtomicInteger refusedBatches = new AtomicInteger();
        List<SteadyRate> loads = new ArrayList<>();
        try (WireHub hub = TestHubs.start(env)) {
            String base = TestHubs.base(hub);
            Http.publish(base, "soak.0", "warm-up");
            Census census = Census.of(hub);
            Census.Snapshot baseline = census.take();
            for (int i = 0; i < SUBSCRIBERS; i++) {
                clients.add(ResumingClient.of(i / TOPICS % 2 == 1, hub.port(), topics.get(i % TOPICS))
                        .start());
            }
            Eventually.await(
                    "every subscriber live",
                    Duration.ofSeconds(60),
                    () -> hub.hub().stats().subscribers() == SUBSCRIBERS);
            loads.add(SteadyRate.start("publisher", BATCHES_PER_SECOND, () -> {
                if (Http.publishToEach(base, topics, "soak").status() != 201) {
                    refusedBatches.incrementAndGet();
                }
            }));
            loads.add(SteadyRate.start("churn", CHURN_PER_SECOND, () -> clients.get(
                            ThreadLocalRandom.current().nextInt(SUBSCRIBERS))
                    .drop()));

            List<Sample> samples = new ArrayList<>();
            long started = System.nanoTime();
            while (System.nanoTime() - started < LENGTH.toNanos()) {
                LockSupport.parkNanos(SAMPLE_EVERY.toNanos()); // the sampling period, not a wait for a condition
                samples.add(new Sample(
                        (System.nanoTime() - started) / 60e9,
                        Census.heapAfterGc() / 1048576.0,
                        serverThreads(hub),
                        Census.openFiles(),
                        activePool(hub)));
            }
            for (SteadyRate load : loads) {
                load.stop();
            }
            int reconnects = clients.stream().mapToInt(c -> c.connects() - 1).sum();
            int gaps = clients.stream()
                    .mapToInt(c -> c.gaps() + c.duplicates() + c.resets())
                    .sum();
            long events = clients.stream().mapToLong(ResumingClient::events).sum();
            clients.forEach(ResumingClient::stop);
            Duration back = census.awaitBaseline(baseline, Duration.ofSeconds(30), HEAP_GROWTH_BOUND);

            Sample first = samples.getFirst();
            Sample last = samples.getLast();
            System.out.printf(
                    "SoakLeakTest: %s, %d subscribers (half SSE, half WebSocket) on %d topics, %.0f events/s, %.0f reconnects/s (%d in all): %d events"
                            + " received, %d gaps/duplicates/resets; slopes per minute: heap after GC %+.2f MB (%.1f -> %.1f MB),"
                            + " server threads %+.1f (%d -> %d), open files %+.1f (%d -> %d), pool in use %+.2f; back at baseline %d ms"
                            + " after the end%n",
                    LENGTH,
                    SUBSCRIBERS,
                    TOPICS,
                    TOPICS * BATCHES_PER_SECOND,
                    CHURN_PER_SECOND,
                    reconnects,
                    events,
                    gaps,
                    slope(samples, Sample::heapMb),
                    first.heapMb(),
                    last.heapMb(),
                    slope(samples, s -> s.threads()),
                    first.threads(),
                    last.threads(),
                    slope(samples, s -> s.openFiles()),
                    first.openFiles(),
                    last.openFiles(),
                    slope(samples, s -> s.poolActive()),
                    back.toMillis());
            assertEquals(0, refusedBatches.get(), "every batch published");
            assertEquals(0, gaps, "no gap, duplicate or reset");
            assertTrue(reconnects > 0, "subscribers churned");
            assertTrue(
                    last.heapMb() - first.heapMb() < HEAP_GROWTH_BOUND >> 20,
                    "heap after GC flat: " + first + " -> " + last);
            assertTrue(
                    last.threads() - first.threads() < THREAD_GROWTH_BOUND, "threads flat: " + first + " -> " + last);
            assertTrue(
                    last.openFiles() - first.openFiles() < OPEN_FILES_GROWTH_BOUND,
                    "open files flat: " + first + " -> " + last);
        } finally {
            for (SteadyRate load : loads) {
                load.stop();
            }
            clients.forEach(ResumingClient::stop);
        }
    }

    /**
     * The server's threads while the load runs: the JVM's platform threads plus the server's drain
     * loops (one virtual thread each). Not a thread dump: JDK 25.0.3 crashed (SIGSEGV in
     * GetThreadSnapshotClosure) dumping thousands of virtual threads that were parking and waking;
     * the Census takes its dump at the end, once the load has stopped.
     */
    private static int serverThreads(WireHub hub) {
        return ManagementFactory.getThreadMXBean().getThreadCount()
                + hub.hub().stats().drainLoops();
    }

    private static long activePool(WireHub hub) {
        return ((PostgresEventStore) hub.store()).activeConnections();
    }

    /** Least-squares slope of the samples, per minute. */
    private static double slope(List<Sample> samples, ToDoubleFunction<Sample> value) {
        double n = samples.size();
        double sx = 0, sy = 0, sxy = 0, sxx = 0;
        for (Sample s : samples) {
            double x = s.minutes();
            double y = value.applyAsDouble(s);
            sx += x;
            sy += y;
            sxy += x * y;
            sxx += x * x;
        }
        double denominator = n * sxx - sx * sx;
        return denominator == 0 ? 0 : (n * sxy - sx * sy) / denominator;
    }
}
