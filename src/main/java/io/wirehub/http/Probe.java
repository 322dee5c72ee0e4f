package io.wirehub.http;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * A readiness check that costs what it checks at most one call per {@code maxAge}, however often
 * it is asked: {@code /health} is unauthenticated, and a flood of it must not become a flood of
 * store queries competing with publishes.
 *
 * <p>Invariant: at most one check runs at a time. A caller finds the last answer if it is younger
 * than {@code maxAge}; otherwise it runs the check itself, unless another caller already does, in
 * which case it takes the last answer (a little older) rather than wait. Only before the very
 * first answer do callers wait, for that one check.
 */
final class Probe {
    private record Answer(boolean up, long atNanos) {}

    private final BooleanSupplier check;
    private final LongSupplier nanoClock;
    private final long maxAgeNanos;
    private final ReentrantLock checking = new ReentrantLock();
    private volatile Answer last; // null until the first check ends

    Probe(BooleanSupplier check, Duration maxAge, LongSupplier nanoClock) {
        this.check = check;
        this.maxAgeNanos = maxAge.toNanos();
        this.nanoClock = nanoClock;
    }

    boolean up() {
        Answer seen = last;
        if (seen != null && fresh(seen)) {
            return seen.up();
        }
        if (seen == null) {
            checking.lock(); // nothing to answer with yet: wait for the one check in flight
        } else if (!checking.tryLock()) {
            return seen.up(); // someone is checking now
        }
        try {
            Answer again = last;
            if (again != null && fresh(again)) {
                return again.up(); // checked while we waited for the lock
            }
            boolean up = check.getAsBoolean();
            last = new Answer(up, nanoClock.getAsLong());
            return up;
        } finally {
            checking.unlock();
        }
    }

    private boolean fresh(Answer answer) {
        return nanoClock.getAsLong() - answer.atNanos() < maxAgeNanos;
    }
}
