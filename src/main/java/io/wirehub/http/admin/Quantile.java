package io.wirehub.http.admin;

/**
 * A quantile estimated from bucket counts, as Prometheus's {@code histogram_quantile} does:
 * find the bucket holding the rank, interpolate linearly inside it. Its error is at most the
 * bucket's width; the dashboard shows it, alerts use Prometheus's own.
 */
final class Quantile {
    private Quantile() {}

    /**
     * @param bounds inclusive upper bounds, ascending
     * @param counts per-bucket counts, one more than bounds (the last: above the last bound)
     * @return the estimate, NaN when there are no observations; the last bound when it falls above it
     */
    static double of(long[] bounds, long[] counts, double q) {
        long total = total(counts);
        if (total == 0) {
            return Double.NaN;
        }
        double rank = q * total;
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            if (seen + counts[i] >= rank && counts[i] > 0) {
                if (i == bounds.length) {
                    return bounds[bounds.length - 1];
                }
                double lower = i == 0 ? 0 : bounds[i - 1];
                return lower + (bounds[i] - lower) * ((rank - seen) / counts[i]);
            }
            seen += counts[i];
        }
        return bounds[bounds.length - 1];
    }

    static long total(long[] counts) {
        long total = 0;
        for (long count : counts) {
            total += count;
        }
        return total;
    }
}
