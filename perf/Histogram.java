/** Log-linear histogram of non-negative values (microseconds), about 0.2% precision; one thread. */
final class Histogram {
    static final int LINEAR = 1024;
    static final int SUB = 512;
    final long[] counts = new long[LINEAR + 54 * SUB];
    long max, count;

    void record(long v) {
        v = Math.max(0, v);
        counts[index(v)]++;
        max = Math.max(max, v);
        count++;
    }

    void add(Histogram o) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += o.counts[i];
        }
        max = Math.max(max, o.max);
        count += o.count;
    }

    static int index(long v) {
        if (v < LINEAR) {
            return (int) v;
        }
        int msb = 63 - Long.numberOfLeadingZeros(v);
        return LINEAR + (msb - 10) * SUB + (int) ((v >>> (msb - 9)) - SUB);
    }

    static long valueAt(int index) {
        if (index < LINEAR) {
            return index;
        }
        int msb = (index - LINEAR) / SUB + 10;
        return ((index - LINEAR) % SUB + SUB) << (msb - 9);
    }

    long quantile(double q) {
        if (count == 0) {
            return -1;
        }
        long rank = (long) Math.ceil(q * count);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(valueAt(i), max);
            }
        }
        return max;
    }
}
