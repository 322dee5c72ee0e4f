package io.wirehub.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits on a deadline for a condition that something else (a background thread, a pool, another
 * process) will make true: checks often, returns as soon as it holds, fails with what was last
 * seen when the deadline passes. Never a fixed sleep.
 */
public final class Eventually {
    private static final long CHECK_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private Eventually() {}

    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        await(what, timeout, () -> condition.getAsBoolean() ? null : "not yet");
    }

    /**
     * @param state null once the condition holds, else a description of what is seen now
     */
    public static void await(String what, Duration timeout, Supplier<String> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String seen;
        while ((seen = state.get()) != null) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what + " did not happen within " + timeout + "; last seen: " + seen);
            }
            LockSupport.parkNanos(CHECK_EVERY_NANOS);
        }
    }
}
