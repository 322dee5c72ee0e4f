package io.wirehub.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

/** Runs several actions on threads of their own, released by one gate at the same moment. */
public final class AllAtOnce {
    private AllAtOnce() {}

    /**
     * Starts each action on its own virtual thread, opens the gate, and waits for all of them;
     * returns what they threw (empty when nothing did). Fails when one has not returned in time.
     */
    public static List<Throwable> run(List<Runnable> actions, Duration timeout) throws InterruptedException {
        ConcurrentLinkedQueue<Throwable> thrown = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (Runnable action : actions) {
            threads.add(Thread.ofVirtual().name("test-side").start(() -> {
                try {
                    go.await();
                    action.run();
                } catch (Throwable t) {
                    thrown.add(t);
                }
            }));
        }
        go.countDown();
        for (Thread thread : threads) {
            if (!thread.join(timeout)) {
                throw new AssertionError("an action did not return within " + timeout + ": " + thread);
            }
        }
        return List.copyOf(thrown);
    }
}
