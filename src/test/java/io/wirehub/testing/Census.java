package io.wirehub.testing;

import com.sun.management.UnixOperatingSystemMXBean;
import io.wirehub.app.WireHub;
import io.wirehub.store.postgres.PostgresEventStore;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import redis.clients.jedis.Jedis;

/**
 * Everything running wirehub instances hold that a leak would grow, counted: per instance its hub
 * subscribers, drain loops, topic entries and pending fan-out deliveries, its Redis subscriptions ({@code PUBSUB NUMSUB} on
 * its channel) and Hikari's active connections; for the JVM its threads by name (virtual ones
 * too, see {@link ThreadCensus}), open file descriptors and the heap after a full GC.
 *
 * <p>A leak test takes a {@link Snapshot} before its load and, after, {@link #awaitBaseline}
 * waits on a deadline until every count is back and fails naming each one that is not.
 */
public final class Census {
    // Threads that come and go on the JDK's own schedule, not ours: the virtual-thread scheduler
    // adds carriers while many threads block and retires them after 30 s idle; the common pool
    // likewise; the process reaper watches the client fleet's process. Threads named test-* are
    // the test's own clients.
    private static final List<String> NOT_THE_SERVERS = List.of(
            "virtual test-",
            "platform test-",
            "platform ForkJoinPool",
            "platform process reaper",
            "platform Attach Listener",
            "platform HttpClient-#-Worker",
            "platform InnocuousThread");
    private static final long OPEN_FILES_SLACK = 16; // jars and sockets the JDK opens lazily
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private final Map<String, LongSupplier> counts = new LinkedHashMap<>();

    /** What one instance holds now: the counts a leak test compares. */
    public record Snapshot(Map<String, Long> counts, Map<String, Integer> threads, long heapBytes, long openFiles) {
        public int virtualThreads() {
            return ThreadCensus.virtualThreads(threads);
        }

        @Override
        public String toString() {
            return counts + ", " + virtualThreads() + " virtual threads, heap " + (heapBytes >> 20) + " MB, "
                    + openFiles + " open files";
        }
    }

    private Census() {}

    /** The counts of these instances, each named with its index when there are several. */
    public static Census of(WireHub... hubs) {
        Census census = new Census();
        for (int i = 0; i < hubs.length; i++) {
            WireHub hub = hubs[i];
            String who = hubs.length == 1 ? "" : "instance " + i + " ";
            census.count(who + "hub subscribers", () -> hub.hub().stats().subscribers());
            census.count(who + "drain loops", () -> hub.hub().stats().drainLoops());
            census.count(who + "hub topics", () -> hub.hub().activeTopics());
            // Deliveries counted as pending fan-out work: a count that stays up after streams
            // closed would make publishers wait, then be refused, for nothing.
            census.count(
                    who + "pending fan-out deliveries",
                    () -> hub.hub().fanOutWork().pending());
            if (hub.store() instanceof PostgresEventStore store) {
                census.count(who + "Hikari active connections", store::activeConnections);
            }
        }
        if (hubs.length > 0 && hubs[0].settings().bus().type().equals("redis")) {
            String channel = hubs[0].settings().bus().redis().channel() + ":events";
            census.count("Redis subscriptions (PUBSUB NUMSUB " + channel + ")", () -> numsub(channel));
        }
        return census;
    }

    public Census count(String name, LongSupplier count) {
        counts.put(name, count);
        return this;
    }

    public Snapshot take() {
        Map<String, Long> now = new LinkedHashMap<>();
        counts.forEach((name, count) -> now.put(name, count.getAsLong()));
        return new Snapshot(now, ThreadCensus.take(), heapAfterGc(), openFiles());
    }

    /**
     * Waits until every count is at its baseline, the threads of every name at most theirs and the
     * heap after GC within {@code heapSlackBytes} of it; returns how long that took. Fails naming
     * each count that is not back when the deadline passes.
     */
    public Duration awaitBaseline(Snapshot baseline, Duration timeout, long heapSlackBytes) {
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        List<String> off;
        while (!(off = differences(baseline, heapSlackBytes, false)).isEmpty()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not back at baseline within " + timeout + ": "
                        + String.join("; ", differences(baseline, heapSlackBytes, true)));
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /**
     * What is off its baseline now. Unless {@code everything}, the cheap counts first, and the
     * threads (a dump) and heap (a full GC) only once those are back.
     */
    private List<String> differences(Snapshot baseline, long heapSlackBytes, boolean everything) {
        List<String> off = new ArrayList<>();
        counts.forEach((name, count) -> {
            long now = count.getAsLong();
            long was = baseline.counts().getOrDefault(name, 0L);
            if (now != was) { // exact: a Redis subscription lost is as wrong as one leaked
                off.add(name + " " + now + " (baseline " + was + ")");
            }
        });
        long files = openFiles();
        if (files > baseline.openFiles() + OPEN_FILES_SLACK) {
            off.add("open files " + files + " (baseline " + baseline.openFiles() + " + " + OPEN_FILES_SLACK + ")");
        }
        if (!off.isEmpty() && !everything) {
            return off;
        }
        Map<String, Integer> threads = ThreadCensus.take();
        for (String name : threads.keySet()) {
            int now = threads.get(name);
            int was = baseline.threads().getOrDefault(name, 0);
            if (now > was && NOT_THE_SERVERS.stream().noneMatch(name::startsWith)) {
                off.add("threads '" + name + "' " + now + " (baseline " + was + ")");
            }
        }
        if (!off.isEmpty() && !everything) {
            return off;
        }
        long heap = heapAfterGc();
        if (heap > baseline.heapBytes() + heapSlackBytes) {
            off.add("heap after GC " + (heap >> 20) + " MB (baseline " + (baseline.heapBytes() >> 20) + " MB + "
                    + (heapSlackBytes >> 20) + " MB allowed)");
        }
        return off;
    }

    public static long heapAfterGc() {
        MEMORY.gc();
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    public static long openFiles() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
                ? unix.getOpenFileDescriptorCount()
                : 0;
    }

    private static long numsub(String channel) {
        try (Jedis jedis = TestRedis.connect()) {
            return jedis.pubsubNumSub(channel).getOrDefault(channel, 0L);
        }
    }
}
