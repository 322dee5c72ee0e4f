package io.wirehub.hub;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The hub's counters. Cheap to bump from any thread (LongAdder); read by the stats and metrics
 * endpoints. Counts only go up, except the live subscriber gauges.
 */
public final class HubStats {
    final LongAdder published = new LongAdder();
    final LongAdder deliveries = new LongAdder();
    final LongAdder overflows = new LongAdder();
    final LongAdder catchUps = new LongAdder();
    final LongAdder resets = new LongAdder();
    final LongAdder duplicatesDropped = new LongAdder();
    final LongAdder backfilled = new LongAdder();
    final AtomicInteger drainLoops = new AtomicInteger();
    private final Map<CloseReason, LongAdder> closes = new EnumMap<>(CloseReason.class);
    private final Map<Transport, AtomicInteger> subscribers = new EnumMap<>(Transport.class);

    public HubStats() {
        for (CloseReason reason : CloseReason.values()) {
            closes.put(reason, new LongAdder());
        }
        for (Transport transport : Transport.values()) {
            subscribers.put(transport, new AtomicInteger());
        }
    }

    public long published() {
        return published.sum();
    }

    /** Events written to subscribers (one event to ten subscribers counts ten). */
    public long deliveries() {
        return deliveries.sum();
    }

    public long overflows() {
        return overflows.sum();
    }

    public long catchUps() {
        return catchUps.sum();
    }

    public long resets() {
        return resets.sum();
    }

    /** Events the hub dropped because a bus delivered them twice or late. */
    public long duplicatesDropped() {
        return duplicatesDropped.sum();
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
}
