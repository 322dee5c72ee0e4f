package io.wirehub.testing;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs an action at a steady rate on a thread of its own (a publisher's load, say) until
 * stopped. The pause between runs sets the rate; it is not a wait for a condition.
 */
public final class SteadyRate {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    private SteadyRate(String name, double perSecond, Runnable action) {
        long period = (long) (TimeUnit.SECONDS.toNanos(1) / perSecond);
        thread = Thread.ofVirtual().name("test-" + name).start(() -> {
            long next = System.nanoTime();
            while (running.get()) {
                action.run();
                next += period;
                LockSupport.parkNanos(next - System.nanoTime());
            }
        });
    }

    public static SteadyRate start(String name, double perSecond, Runnable action) {
        return new SteadyRate(name, perSecond, action);
    }

    /** Stops and waits for the run under way to finish. */
    public void stop() throws InterruptedException {
        running.set(false);
        thread.join();
    }
}
