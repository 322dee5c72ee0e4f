package io.wirehub.publish;

import io.wirehub.bus.EventBus;
import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.hub.FanOutWork;
import io.wirehub.hub.Hub;
import io.wirehub.hub.HubStats;
import io.wirehub.store.EventStore;
import io.wirehub.store.IdempotencyKeys;
import io.wirehub.store.StoreUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The publish path: admission (the fan-out must have room), store (which assigns the seqs, all
 * or nothing), then the committed events go to this instance's streams (the hub's dispatcher) and
 * to the other instances (the bus). An event is acknowledged only once {@link #publish} returns,
 * so an acknowledged event is in the store even if the bus then loses it.
 *
 * <p>Overload: when the fan-out work already accepted here is past its bound ({@link FanOutWork}),
 * a publish waits, at most {@code publish.overload_wait}, then is refused
 * ({@link OverloadedException}, a 503 with Retry-After) before anything is stored. So no event is
 * acknowledged that then waits seconds before its subscribers can read it; the publishers feel
 * the overload instead.
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
    public static final String OVERLOADED = "overloaded";

    private final EventStore store;
    private final EventBus bus;
    private final Hub hub;
    private final HubStats stats;
    private final Duration overloadWait;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ended = lock.newCondition();
    private boolean accepting = true; // guarded by lock, with inFlight
    private int inFlight;

    /** @param overloadWait how long a publish may wait for room in the fan-out before it is refused */
    public Publisher(EventStore store, EventBus bus, Hub hub, Duration overloadWait) {
        this.store = store;
        this.bus = bus;
        this.hub = hub;
        this.stats = hub.stats();
        this.overloadWait = overloadWait;
        stats.countRefusalsFromZero(List.of(STORE_UNAVAILABLE, OVERLOADED, SHUTTING_DOWN));
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
            if (!hub.admit(events, arrivedNanos + overloadWait.toNanos())) {
                refused(OVERLOADED);
                throw new OverloadedException();
            }
            List<Event> stored = store.append(events, completions);
            stats.publishedEvents(stored.size());
            stored.forEach(event -> event.arrivedAt(arrivedNanos));
            hub.dispatchLocal(stored);
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
        stats.idempotencyKeyUnrecorded();
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

    /**
     * The fan-out here could not make room within publish.overload_wait: nothing was stored. The
     * client retries after a moment (Retry-After), or slows down.
     */
    public static final class OverloadedException extends RuntimeException {
        OverloadedException() {
            super("the fan-out is behind; nothing was stored", null, false, false);
        }
    }

    /** The instance is draining and takes no more publishes. */
    public static final class ShuttingDownException extends RuntimeException {
        ShuttingDownException() {
            super("wirehub is shutting down", null, false, false);
        }
    }
}
