package io.wirehub.hub;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * One stream's share of the hub's fan-out budget ({@link FanOutWork}): whether its queue counts
 * there (its slots in the bound, its queued deliveries in the pending work), and how many of the
 * deliveries in it are counted. Every unit added here is added to the hub's count, and every unit
 * taken here is taken there, so the hub's count comes back to zero as queues drain or close.
 *
 * <p>A stream that keeps up is in; one that overflowed is slow on its own, not a sign of overload,
 * and is out until it has caught up; a closed one is out for good.
 *
 * <p>Threads: dispatching threads count offers, the drain thread takes, any thread may leave.
 */
final class BudgetShare {
    private final FanOutWork work;
    private final IntConsumer capacityChanged;
    private final int capacity;
    private final BooleanSupplier closed;
    private final AtomicBoolean in = new AtomicBoolean();
    private final AtomicInteger counted = new AtomicInteger();

    BudgetShare(FanOutWork work, IntConsumer capacityChanged, int capacity, BooleanSupplier closed) {
        this.work = work;
        this.capacityChanged = capacityChanged;
        this.capacity = capacity;
        this.closed = closed;
    }

    /** Before a delivery is offered: counts it when the stream is in (the drain thread may take it at once). */
    boolean countOffer() {
        if (!in.get()) {
            return false;
        }
        counted.incrementAndGet();
        work.added(1);
        return true;
    }

    /** After the offer: a counted delivery that was not queued, or queued as the stream left, leaves the count. */
    void offered(boolean countedIt, boolean queued) {
        if (!countedIt) {
            return;
        }
        if (!queued) {
            taken(1);
        } else if (!in.get()) {
            uncountAll(); // it left meanwhile: its count must not stay behind
        }
    }

    /** The stream's queue counts from now on (it joined the hub, or caught up again); not once closed. */
    void join() {
        if (!closed.getAsBoolean() && in.compareAndSet(false, true)) {
            capacityChanged.accept(capacity);
            if (closed.getAsBoolean()) {
                leave(); // a close raced us: it may have found the flag still false
            }
        }
    }

    /** Its queue and its slots leave the budget (it overflowed, or closed). */
    void leave() {
        if (in.compareAndSet(true, false)) {
            capacityChanged.accept(-capacity);
            uncountAll();
        }
    }

    /** The drain thread took this many deliveries: as many of them as were counted leave the count. */
    void taken(int deliveries) {
        if (deliveries == 0) {
            return;
        }
        int before;
        int took;
        do {
            before = counted.get();
            took = Math.min(before, deliveries);
        } while (took > 0 && !counted.compareAndSet(before, before - took));
        work.taken(took);
    }

    private void uncountAll() {
        work.taken(counted.getAndSet(0));
    }
}
