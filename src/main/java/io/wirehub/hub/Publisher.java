package io.wirehub.hub;

import io.wirehub.bus.EventBus;
import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.store.EventStore;
import io.wirehub.store.IdempotencyKeys;
import io.wirehub.store.StoreUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The publish path: store (which assigns the seqs, all or nothing), then hand the committed
 * events to the bus. An event is acknowledged only once {@link #publish} returns, so an
 * acknowledged event is in the store even if the bus then loses it.
 *
 * <p>A drain {@link #stop stops} it, then {@link #awaitPublishesEnded waits} for the publishes
 * already admitted: each of them is stored and handed to the bus before the bus closes, so no
 * committed event goes unannounced to the other instances. The count costs one uncontended lock
 * per publish.
 */
public final class Publisher {
    // NOTE: refusal codes, as in the JSON error and the metric label (reason).
    public static final String SHUTTING_DOWN = "shutting_down";
    public static final String STORE_UNAVAILABLE = "store_unavailable";

    private final EventStore store;
    private final EventBus bus;
    private final HubStats stats;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ended = lock.newCondition();
    private boolean accepting = true; // guarded by lock, with inFlight
    private int inFlight;

    public Publisher(EventStore store, EventBus bus, HubStats stats) {
        this.store = store;
        this.bus = bus;
        this.stats = stats;
    }

    /**
     * @return the stored events with their seqs, in the order given
     * @throws ShuttingDownException once {@link #stop()} was called
     * @throws io.wirehub.store.StoreUnavailableException when nothing was stored
     */
    public List<Event> publish(List<NewEvent> events) {
        return publish(events, System.nanoTime());
    }

    /**
     * @param arrivedNanos when the publish request arrived (System.nanoTime): the start of each
     *     event's publish→flush latency
     */
    public List<Event> publish(List<NewEvent> events, long arrivedNanos) {
        return publish(events, List.of(), arrivedNanos);
    }

    /**
     * @param completions idempotency keys the store records with the events, where it can
     *     ({@link EventStore#append(List, List)})
     */
    public List<Event> publish(List<NewEvent> events, List<IdempotencyKeys.Completion> completions, long arrivedNanos) {
        try {
            admit();
        } catch (ShuttingDownException e) {
            refused(SHUTTING_DOWN);
            throw e;
        }
        try {
            List<Event> stored = store.append(events, completions);
            stats.published.add(stored.size());
            stored.forEach(event -> event.arrivedAt(arrivedNanos));
            bus.publish(stored);
            return stored;
        } catch (StoreUnavailableException e) {
            refused(STORE_UNAVAILABLE);
            throw e;
        } finally {
            leave();
        }
    }

    /** Counts a publish request refused before anything was stored, by its error code. */
    public void refused(String code) {
        stats.publishRefused(code);
    }

    /** Counts an idempotency key whose events were stored but whose outcome could not be recorded. */
    public void keyUnrecorded() {
        stats.idempotencyKeysUnrecorded.increment();
    }

    /** Refuses publishes from now on (the first step of a drain); those in flight go on. */
    public void stop() {
        lock.lock();
        try {
            accepting = false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until every publish admitted before {@link #stop()} has returned, at most {@code timeout}.
     *
     * @return the publishes still in flight: 0 unless the timeout ran out
     */
    public int awaitPublishesEnded(Duration timeout) {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (inFlight > 0 && left > 0) {
                left = ended.awaitNanos(left);
            }
            return inFlight;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    private void admit() {
        lock.lock();
        try {
            if (!accepting) {
                throw new ShuttingDownException();
            }
            inFlight++;
        } finally {
            lock.unlock();
        }
    }

    private void leave() {
        lock.lock();
        try {
            if (--inFlight == 0) {
                ended.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The instance is draining and takes no more publishes. */
    public static final class ShuttingDownException extends RuntimeException {
        ShuttingDownException() {
            super("wirehub is shutting down", null, false, false);
        }
    }
}
