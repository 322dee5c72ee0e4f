package io.wirehub.testing;

import java.util.concurrent.ConcurrentLinkedQueue;

/** Latency samples from any thread, summed up as percentiles in milliseconds for a report line. */
public final class Latencies {
    private final ConcurrentLinkedQueue<Long> nanos = new ConcurrentLinkedQueue<>();

    public void add(long sampleNanos) {
        nanos.add(sampleNanos);
    }

    public int count() {
        return nanos.size();
    }

    /** The sample at this quantile (0.99 for p99, 1 for the maximum), in milliseconds; 0 with no samples. */
    public double millis(double quantile) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(quantile * sorted.length) - 1;
        return sorted[Math.clamp(index, 0, sorted.length - 1)] / 1e6;
    }

    /** {@code p50 1.2 ms, p99 8.0 ms, max 20.1 ms (n samples)}. */
    @Override
    public String toString() {
        return String.format(
                "p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d samples)", millis(0.5), millis(0.99), millis(1), count());
    }
}
