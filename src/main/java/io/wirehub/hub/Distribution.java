package io.wirehub.hub;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * A histogram with fixed bucket bounds: how many observations fell at or under each bound, and
 * their sum. Bumped from any thread without a lock (one {@link LongAdder} per bucket); read by
 * /metrics, /v1/stats and the dashboard, which derive rates and quantiles from two snapshots.
 *
 * <p>Fixed bounds keep memory constant and make instances comparable across a fleet. Cost: a
 * binary search and two adds per observation.
 */
public final class Distribution {
    private final long[] bounds; // ascending, inclusive upper bounds; above the last: the overflow bucket
    private final LongAdder[] counts;
    private final LongAdder sum = new LongAdder();

    Distribution(long... bounds) {
        this.bounds = bounds.clone();
        this.counts = new LongAdder[bounds.length + 1];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    void observe(long value) {
        int at = Arrays.binarySearch(bounds, value);
        counts[at >= 0 ? at : -at - 1].increment();
        sum.add(value);
    }

    /** The bucket bounds (the last bucket, past the last bound, is unbounded). */
    public long[] bounds() {
        return bounds.clone();
    }

    /** A copy of the per-bucket counts, not cumulative; one more than {@link #bounds()}. */
    public long[] counts() {
        long[] copy = new long[counts.length];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = counts[i].sum();
        }
        return copy;
    }

    public long count() {
        long total = 0;
        for (LongAdder count : counts) {
            total += count.sum();
        }
        return total;
    }

    public long sum() {
        return sum.sum();
    }
}
