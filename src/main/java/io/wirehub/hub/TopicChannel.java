package io.wirehub.hub;

import io.wirehub.event.Event;
import java.time.Duration;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One active topic in the hub: its subscribers here, the last seq dispatched to them (-1: none
 * yet) and the events held ahead of a gap. All but the subscriber set are guarded by the lock,
 * which also serializes dispatch (the methods below expect it held); the entry exists while the
 * topic has subscribers.
 *
 * <p>Dispatch in order: an event dispatched already is dropped (a bus may deliver twice or
 * late); an event ahead of a gap is held until the missing ones come, since concurrent publishers
 * and instances commit and announce in crossing orders, then they go out in order. Held too long
 * or too many, they are passed on as they are: each subscriber then sees the jump and reads the
 * missing range from the store on its own thread, so the hub never reads the store on a
 * publisher's or the ticker's thread, and never waits forever.
 */
final class TopicChannel {
    // How long an event ahead of a gap waits for the missing ones before it is passed on. Crossed
    // commits resolve within milliseconds; only a lost bus message waits this long, plus up to one
    // gap check period of the ticker.
    static final Duration GAP_WAIT = Duration.ofMillis(200);

    final String topic;
    final ReentrantLock lock = new ReentrantLock();
    final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    final TreeMap<Long, Event> early = new TreeMap<>();
    long lastSeq = -1;
    private boolean unverified; // see releaseHeld and dispatch
    private boolean verifying; // the hub is checking lastSeq against the store
    volatile long gapSinceNanos;
    // Events of this topic waiting in the dispatcher's queue: while any do, the next ones queue
    // behind them rather than overtake them on a publishing thread (see Dispatcher).
    final AtomicInteger handedOver = new AtomicInteger();

    private final HubStats stats;

    TopicChannel(String topic, HubStats stats) {
        this.topic = topic;
        this.stats = stats;
    }

    /**
     * Dispatches one event in seq order.
     *
     * @param maxHeld how many events may wait for a gap before they are passed on anyway
     * @return how many duplicates were dropped
     */
    int dispatch(Event event, boolean committedHere, long now, int maxHeld) {
        if (lastSeq >= 0 && event.seq() <= lastSeq) {
            return 1;
        }
        if (lastSeq < 0 || event.seq() == lastSeq + 1) {
            if (lastSeq < 0 && !committedHere) {
                // The first seq this channel sees came over the bus: nothing vouches for it (a
                // forged message, or another deployment on the same channel prefix), and new
                // streams would start from it and drop every real event up to it as a duplicate.
                unverified = true;
            }
            deliver(event);
            return deliverHeldInOrder(now);
        }
        if (early.isEmpty()) {
            gapSinceNanos = now;
            stats.gapsDetected.increment();
        }
        early.put(event.seq(), event);
        if (early.size() > maxHeld || heldTooLong(now)) {
            releaseHeld();
        }
        return 0;
    }

    /** Delivers the held events that now come next; returns how many turned out duplicates. */
    int deliverHeldInOrder(long now) {
        int duplicates = 0;
        while (!early.isEmpty() && early.firstKey() <= lastSeq + 1) {
            Event held = early.pollFirstEntry().getValue();
            if (held.seq() == lastSeq + 1) {
                deliver(held);
            } else {
                duplicates++;
            }
        }
        gapSinceNanos = now; // a remaining gap starts counting now
        return duplicates;
    }

    /** Whether events have waited past {@link #GAP_WAIT} for a gap (read without the lock by the ticker). */
    boolean heldTooLong(long now) {
        return !early.isEmpty() && now - gapSinceNanos > GAP_WAIT.toNanos();
    }

    /**
     * Passes on the held events past a gap that did not fill. Then lastSeq is only as good as the
     * bus message that moved it, so it is marked for the hub to check against the store.
     */
    void releaseHeld() {
        for (Event held : early.values()) {
            if (held.seq() > lastSeq) {
                deliver(held);
                unverified = true;
            }
        }
        early.clear();
    }

    /**
     * Whether lastSeq moved on a bus message's word alone since the last call (clears the mark,
     * and from then on {@link #trustedLastSeq} is -1 until the hub has checked it: see verified).
     */
    boolean takeUnverified() {
        boolean was = unverified;
        unverified = false;
        if (was) {
            verifying = true;
        }
        return was;
    }

    /** The hub checked lastSeq against the store (and took it back if the store is behind it). */
    void verified() {
        verifying = false;
    }

    /** lastSeq for positioning a new stream, or -1 while it is not vouched for: ask the store. */
    long trustedLastSeq() {
        return unverified || verifying ? -1 : lastSeq;
    }

    /** Offers the event to every subscriber (one shared queue item, never a wait) and moves lastSeq. */
    void deliver(Event event) {
        QueueItem.Delivery delivery = new QueueItem.Delivery(event);
        for (Subscriber subscriber : subscribers) {
            subscriber.offer(delivery);
        }
        lastSeq = event.seq();
    }
}
