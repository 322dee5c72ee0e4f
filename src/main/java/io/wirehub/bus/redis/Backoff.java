package io.wirehub.bus.redis;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Delays between reconnect attempts: doubling from a first delay up to a cap, each one jittered
 * into [half, full] so that every instance behind a load balancer does not hit a Redis that
 * just came back in the same millisecond. {@link #reset()} after a success.
 *
 * <p>Not thread-safe: one subscriber thread owns it.
 */
final class Backoff {
    private final long firstMillis;
    private final long maxMillis;
    private final DoubleSupplier random;
    private long nextMillis;

    /** @param random values in [0, 1); injected so tests see the bounds without chance */
    Backoff(Duration first, Duration max, DoubleSupplier random) {
        this.firstMillis = first.toMillis();
        this.maxMillis = max.toMillis();
        this.random = random;
        this.nextMillis = firstMillis;
    }

    /** The delay before the next attempt; each call doubles the one after, up to the cap. */
    Duration next() {
        long full = nextMillis;
        nextMillis = Math.min(maxMillis, full * 2);
        long half = full / 2;
        return Duration.ofMillis(half + (long) (random.getAsDouble() * (full - half + 1)));
    }

    void reset() {
        nextMillis = firstMillis;
    }
}
