package io.wirehub.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits on a condition with a deadline (never a fixed sleep). */
public final class Awaits {
    private Awaits() {}

    public static void until(BooleanSupplier condition, String what) throws InterruptedException {
        until(condition, what, Duration.ofSeconds(10));
    }

    public static void until(BooleanSupplier condition, String what, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(10); // a poll interval, not a wait for the outcome
        }
    }
}
