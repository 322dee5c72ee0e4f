package io.wirehub.hub;

import io.wirehub.hub.QueueItem.Delivery;
import io.wirehub.hub.QueueItem.Signal;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.function.LongSupplier;

/**
 * A stream's bounded queue, as the hub, the ticker and the transport fill it and its drain loop
 * empties it. An offer never blocks: a full queue refuses the event, and the stream falls behind
 * ({@link Lag}: it catches up from the store) or, by the overflow policy, is closed.
 *
 * <p>While the stream keeps up, what it queues counts as pending fan-out work ({@link FanOutWork});
 * once it overflowed, it is a slow stream, not a sign of overload, and leaves that count until it
 * has caught up ({@link BudgetShare}). Cost: the slots, references to events shared by every
 * stream; nothing is allocated per offer.
 */
final class Inbox {
    private final ArrayBlockingQueue<QueueItem> queue;
    private final BudgetShare budget;
    private final Lag lag;
    private final Transport transport;
    private final HubStats stats;
    private final LongSupplier nanoClock;
    private final boolean disconnectOnOverflow;

    Inbox(
            int capacity,
            BudgetShare budget,
            Lag lag,
            Transport transport,
            HubSettings settings,
            HubStats stats,
            LongSupplier nanoClock) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.budget = budget;
        this.lag = lag;
        this.transport = transport;
        this.stats = stats;
        this.nanoClock = nanoClock;
        this.disconnectOnOverflow = settings.overflowPolicy() == OverflowPolicy.DISCONNECT;
    }

    /**
     * Publishing or bus threads, never blocks. False when the full queue refused it and the
     * overflow policy is {@code disconnect}: the caller closes the stream.
     */
    boolean offer(Delivery delivery) {
        boolean counted = budget.countOffer();
        boolean queued = queue.offer(delivery);
        budget.offered(counted, queued);
        if (queued) {
            return true;
        }
        stats.overflowed(transport);
        lag.overflowed();
        if (disconnectOnOverflow) {
            return false;
        }
        lag.fellBehind(nanoClock);
        budget.leave();
        catchUpSoon(); // the signal matters if the queue emptied since the failed offer
        return true;
    }

    /** Wakes the drain thread for a signal; a full queue wakes it anyway. */
    void signal(Signal signal) {
        queue.offer(signal);
    }

    /** Marks the stream to re-read all its topics from the store, and wakes it. */
    void catchUpSoon() {
        lag.mark();
        queue.offer(Signal.CATCH_UP);
    }

    /** Drain thread: waits for the next item and adds it to {@code batch}. */
    void awaitNext(List<QueueItem> batch) throws InterruptedException {
        batch.add(queue.take());
    }

    /** Drain thread: moves everything queued now into {@code batch}. */
    void drainTo(List<QueueItem> batch) {
        queue.drainTo(batch);
    }

    /** Drain thread: it took this many deliveries, no longer work the publishers wait on. */
    void taken(int deliveries) {
        budget.taken(deliveries);
    }

    /** Drain thread, after a catch-up: level with the store and no overflow since, its queue counts again. */
    void caughtUp() {
        if (lag.caughtUp()) {
            budget.join();
        }
    }

    int depth() {
        return queue.size();
    }

    int capacity() {
        return queue.size() + queue.remainingCapacity();
    }

    /** When the oldest event waiting was published here (System.nanoTime), or 0. Walks at most the capacity. */
    long oldestArrivalNanos() {
        for (QueueItem item : queue) {
            if (item instanceof Delivery delivery && delivery.event().arrivedNanos() != 0) {
                return delivery.event().arrivedNanos();
            }
        }
        return 0;
    }
}
