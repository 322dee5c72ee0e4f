package io.wirehub.hub;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Whether a stream is behind its live events, and since when: its queue overflowed, or the bus may
 * have lost some, so it must read what it missed from the store before it goes on from its queue
 * (a catch-up), and past server.max_lag behind it is moved to the present with a reset instead.
 *
 * <p>Not a phase of the stream's life ({@link StreamState}): a stream falls behind and catches up
 * any number of times while it lives, even while it is being positioned. Dispatching and bus
 * threads mark it; the drain thread takes the mark and clears it.
 */
final class Lag {
    private final AtomicBoolean lagging = new AtomicBoolean();
    // When its queue first overflowed since it was last caught up (the hub's clock), 0 when it is
    // not behind: past server.max_lag it gets a lag_limit reset (see DrainLoop).
    private volatile long behindSinceNanos;

    // What an operator sees of it (GET /v1/admin/subscribers); no logic depends on these.
    private final AtomicLong overflows = new AtomicLong();
    private final AtomicLong catchUps = new AtomicLong();

    /** Its full queue refused an event. */
    void overflowed() {
        overflows.incrementAndGet();
    }

    /** It is behind from now on, unless it was already (the first overflow since it caught up counts). */
    void fellBehind(LongSupplier nanoClock) {
        if (behindSinceNanos == 0) {
            long now = nanoClock.getAsLong();
            behindSinceNanos = now == 0 ? 1 : now;
        }
    }

    /** It must re-read its topics from the store (the caller wakes its drain thread). */
    void mark() {
        lagging.set(true);
    }

    /** Drain thread: whether a catch-up is due, which clears the mark (a mark set meanwhile stays). */
    boolean takeMark() {
        if (!lagging.getAndSet(false)) {
            return false;
        }
        catchUps.incrementAndGet();
        return true;
    }

    /**
     * Drain thread, after a catch-up: whether it is level with the store now, i.e. no overflow
     * marked it again meanwhile; if so it is no longer behind.
     */
    boolean caughtUp() {
        if (lagging.get()) {
            return false;
        }
        behindSinceNanos = 0;
        return true;
    }

    /** Whether it has been behind the live events longer than {@code maxLagNanos}. */
    boolean behindLongerThan(long now, long maxLagNanos) {
        long since = behindSinceNanos;
        return since != 0 && now - since > maxLagNanos;
    }

    boolean lagging() {
        return lagging.get();
    }

    long overflows() {
        return overflows.get();
    }

    long catchUps() {
        return catchUps.get();
    }
}
