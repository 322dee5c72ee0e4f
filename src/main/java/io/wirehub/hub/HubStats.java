package io.wirehub.hub;

import io.wirehub.event.ResetReason;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The hub's counters: the one source of truth that /v1/stats, /metrics and the dashboard read.
 * Cheap to bump from any thread (LongAdder); counts only go up, except the live gauges. Labels
 * are enums or fixed codes, never a topic or a connection, so their number stays bounded.
 */
public final class HubStats {
    // Publish→flush latency bounds in nanoseconds: 100 µs to 10 s, about three per decade.
    private static final long[] LATENCY_BOUNDS_NANOS = {
        100_000,
        250_000,
        500_000,
        1_000_000,
        2_500_000,
        5_000_000,
        10_000_000,
        25_000_000,
        50_000_000,
        100_000_000,
        250_000_000,
        500_000_000,
        1_000_000_000,
        2_500_000_000L,
        5_000_000_000L,
        10_000_000_000L
    };
    // Queue depth at dequeue: powers of two up to past the largest sensible queue.
    private static final long[] DEPTH_BOUNDS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096};

    final LongAdder published = new LongAdder();
    final LongAdder deliveries = new LongAdder();
    final LongAdder bytesWritten = new LongAdder();
    final LongAdder catchUps = new LongAdder();
    final LongAdder duplicatesDropped = new LongAdder();
    final LongAdder unstoredDropped = new LongAdder();
    final LongAdder backfilled = new LongAdder();
    final LongAdder backfills = new LongAdder();
    final LongAdder gapsDetected = new LongAdder();
    final LongAdder idempotencyKeysUnrecorded = new LongAdder();
    final AtomicInteger drainLoops = new AtomicInteger();
    /** From a publish request's arrival to the flush that carried the event, in nanoseconds. */
    final Distribution publishToFlush = new Distribution(LATENCY_BOUNDS_NANOS);
    /** Items a drain loop took from its queue at once. */
    final Distribution queueDepth = new Distribution(DEPTH_BOUNDS);

    private final Map<CloseReason, LongAdder> closes = new EnumMap<>(CloseReason.class);
    private final Map<Transport, AtomicInteger> subscribers = new EnumMap<>(Transport.class);
    private final Map<Transport, LongAdder> overflows = new EnumMap<>(Transport.class);
    private final Map<ResetReason, LongAdder> resets = new EnumMap<>(ResetReason.class);
    private final Map<Recovery, LongAdder> recovered = new EnumMap<>(Recovery.class);
    // Keyed by the refusal's error code: a fixed set in the code, whatever clients send.
    private final Map<String, LongAdder> publishRefused = new ConcurrentHashMap<>();

    public HubStats() {
        for (CloseReason reason : CloseReason.values()) {
            closes.put(reason, new LongAdder());
        }
        for (Transport transport : Transport.values()) {
            subscribers.put(transport, new AtomicInteger());
            overflows.put(transport, new LongAdder());
        }
        for (ResetReason reason : ResetReason.values()) {
            resets.put(reason, new LongAdder());
        }
        for (Recovery path : Recovery.values()) {
            recovered.put(path, new LongAdder());
        }
    }

    /** Idempotency keys whose events were stored but whose outcome could not be recorded (logged). */
    public long idempotencyKeysUnrecorded() {
        return idempotencyKeysUnrecorded.sum();
    }

    public long published() {
        return published.sum();
    }

    /** Events written to subscribers (one event to ten subscribers counts ten). */
    public long deliveries() {
        return deliveries.sum();
    }

    /** Bytes of event and reset frames written to subscribers (heartbeats and headers aside). */
    public long bytesWritten() {
        return bytesWritten.sum();
    }

    public long overflows() {
        return overflows.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Offers refused by a full queue: each one made its stream lag (or close, by policy). */
    public long overflows(Transport transport) {
        return overflows.get(transport).sum();
    }

    public long catchUps() {
        return catchUps.sum();
    }

    public long resets() {
        return resets.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public long resets(ResetReason reason) {
        return resets.get(reason).sum();
    }

    /** Events written from the store rather than from the queue, by why. */
    public long recovered(Recovery path) {
        return recovered.get(path).sum();
    }

    /** Publish requests refused, by their error code (nothing of them was stored). */
    public SortedMap<String, Long> publishRefused() {
        SortedMap<String, Long> copy = new TreeMap<>();
        publishRefused.forEach((code, count) -> copy.put(code, count.sum()));
        return copy;
    }

    /** Reconnects of the bus after which the hub re-read every active topic. */
    public long backfills() {
        return backfills.sum();
    }

    /** Events that arrived ahead of a gap in their topic (held for the missing ones). */
    public long gapsDetected() {
        return gapsDetected.sum();
    }

    /** Publish→flush latency of live deliveries of events published here, in nanoseconds. */
    public Distribution publishToFlush() {
        return publishToFlush;
    }

    /** Queue items each drain took at once. */
    public Distribution queueDepth() {
        return queueDepth;
    }

    /** Events the hub dropped because a bus delivered them twice or late. */
    public long duplicatesDropped() {
        return duplicatesDropped.sum();
    }

    /**
     * Bus events whose seq the store never gave (a forged or corrupt message on the channel):
     * dropped by a subscriber, or a topic's last seq taken back by the hub.
     */
    public long unstoredDropped() {
        return unstoredDropped.sum();
    }

    /** Events the hub read from the store to fill a seq jump on the bus. */
    public long backfilled() {
        return backfilled.sum();
    }

    /** Drain loops running now: one per stream, on its own thread; 0 once every stream ended. */
    public int drainLoops() {
        return drainLoops.get();
    }

    public long closes(CloseReason reason) {
        return closes.get(reason).sum();
    }

    /** Streams positioned and live now: an event published from now on reaches them. */
    public int subscribers(Transport transport) {
        return subscribers.get(transport).get();
    }

    public int subscribers() {
        return subscribers.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    void subscriberReady(Transport transport) {
        subscribers.get(transport).incrementAndGet();
    }

    void subscriberGone(Transport transport) {
        subscribers.get(transport).decrementAndGet();
    }

    void closed(CloseReason reason) {
        closes.get(reason).increment();
    }

    void overflowed(Transport transport) {
        overflows.get(transport).increment();
    }

    void reset(ResetReason reason) {
        resets.get(reason).increment();
    }

    void recoveredOne(Recovery path) {
        recovered.get(path).increment();
    }

    /**
     * Counts these refusal codes from 0 from now on (the publisher's, at its start): a series born
     * at its first count hides that count from rate() and increase(), so an alert on it would miss it.
     */
    public void countRefusalsFromZero(List<String> codes) {
        codes.forEach(code -> publishRefused.computeIfAbsent(code, c -> new LongAdder()));
    }

    public void publishRefused(String code) {
        publishRefused.computeIfAbsent(code, c -> new LongAdder()).increment();
    }

    public void publishedEvents(int count) {
        published.add(count);
    }

    public void idempotencyKeyUnrecorded() {
        idempotencyKeysUnrecorded.increment();
    }
}
