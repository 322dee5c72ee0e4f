package io.wirehub.hub;

import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

/**
 * The fan-out work this instance owes: deliveries (one event for one stream) that were accepted
 * and not yet taken by a stream's drain thread, wherever they wait: in the dispatcher's hand-off
 * queue (counted there as the topic's stream count) or in the streams' own queues. It is what
 * stands between an acknowledged publish and the moment its subscribers can read it, so it is
 * what the publishers' admission bounds ({@link #awaitRoom}).
 *
 * <p>The bound is the smaller of two: {@code publish.max_pending_deliveries} (about 100 ms of
 * the fastest fan-out measured on 2 cores, docs/operations.md) and half the queue capacity of
 * the streams that keep up (but never below a tenth of the first). That is what tells an
 * overloaded server from a slow subscriber: a stream that overflowed is slow on its own, so it
 * leaves the count (its queue and its capacity) and is left to its catch-up and the lag limit
 * until it has caught up; when the queues of the streams that do keep up are more than half full
 * on average, the drain threads as a whole cannot keep up, and publishers must wait.
 *
 * <p>Cost: a LongAdder bump per delivery offered (the dispatching thread's own cell) and one per
 * drained batch; {@link #pending()} sums the cells, once per admission check.
 */
public final class FanOutWork {
    // How often a waiting publisher looks again: a small share of the ~100 ms bound, so a freed
    // budget is used quickly, and cheap (a parked virtual thread costs no carrier).
    private static final long RECHECK_NANOS = 2_000_000;

    private final LongAdder queued = new LongAdder();
    private final long maxPending;
    private final IntSupplier streamCapacity;

    /**
     * @param maxPending the configured bound, in deliveries
     * @param streamCapacity the queue slots of every live stream, summed
     */
    FanOutWork(long maxPending, IntSupplier streamCapacity) {
        this.maxPending = maxPending;
        this.streamCapacity = streamCapacity;
    }

    /** Deliveries accepted and not yet taken by a drain thread. */
    public long pending() {
        return queued.sum();
    }

    /**
     * The bound in force now: it follows the number of streams that keep up, never below a tenth
     * of the configured one, so that a few streams filling their queues (a client that stopped
     * reading, before it overflows) are never taken for overload.
     */
    public long limit() {
        return Math.min(maxPending, Math.max(Math.max(1, maxPending / 10), streamCapacity.getAsInt() / 2));
    }

    void added(long deliveries) {
        queued.add(deliveries);
    }

    void taken(long deliveries) {
        queued.add(-deliveries);
    }

    /**
     * Waits until {@code deliveries} more fit under the bound, at most until {@code deadlineNanos}
     * (System.nanoTime). A publish larger than half the bound (a wide topic, a big batch) waits
     * only for half of it to be free: it still goes out under steady load, at most one such
     * overshoot at a time per waiting publisher.
     *
     * @return false when the deadline passed first (the caller refuses the publish)
     */
    boolean awaitRoom(long deliveries, long deadlineNanos) {
        while (true) {
            long pending = pending();
            long limit = limit();
            if (pending <= 0 || pending + Math.min(deliveries, Math.max(1, limit / 2)) <= limit) {
                return true;
            }
            long left = deadlineNanos - System.nanoTime(); // the request's arrival clock, not an injected one
            if (left <= 0) {
                return false;
            }
            LockSupport.parkNanos(this, Math.min(left, RECHECK_NANOS));
            if (Thread.currentThread().isInterrupted()) {
                return false;
            }
        }
    }
}
