package io.wirehub.store.memory;

import io.wirehub.event.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One topic of the in-memory store: its last seq and a ring of its retained events, oldest first.
 *
 * <p>The ring grows by doubling up to the per-topic cap, shrinks as events are evicted, and is
 * dropped when empty, so a topic costs slots for the events it holds, not for the cap. The
 * retained events are always the seqs {@code lastSeq - size + 1 .. lastSeq}: events leave only
 * from the old end, so a read never sees a hole in the middle.
 *
 * <p>Every field is guarded by {@link #lock}.
 */
final class TopicLog {
    private static final Event[] NONE = new Event[0];
    private static final int MIN_SLOTS = 8;

    final String topic;
    final ReentrantLock lock = new ReentrantLock();
    private Event[] ring = NONE;
    private int head; // slot of the oldest retained event
    private int size;
    private long lastSeq;
    /** Removed from the store: an appender that locked it too late must look the topic up again. */
    boolean forgotten;

    /** @param lastSeq the seq the topic continues after (the store's floor for a new topic) */
    TopicLog(String topic, long lastSeq) {
        this.topic = topic;
        this.lastSeq = lastSeq;
    }

    long lastSeq() {
        return lastSeq;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The oldest retained seq; {@code lastSeq + 1} when none is retained. */
    long firstSeq() {
        return lastSeq - size + 1;
    }

    /**
     * Stores the topic's next event.
     *
     * @return the oldest event, pushed out because the ring was at {@code cap}, or null
     */
    Event add(Event event, int cap) {
        Event dropped = null;
        if (size == cap) {
            dropped = removeOldest();
        }
        if (size == ring.length) {
            resize(Math.min(cap, Math.max(MIN_SLOTS, ring.length * 2)));
        }
        ring[(head + size) % ring.length] = event;
        size++;
        lastSeq = event.seq();
        return dropped;
    }

    /** Removes and returns the oldest retained event; the ring shrinks as it empties. */
    Event removeOldest() {
        Event oldest = ring[head];
        ring[head] = null;
        head = (head + 1) % ring.length;
        size--;
        if (size == 0) {
            ring = NONE;
            head = 0;
        } else if (size <= ring.length / 4 && ring.length > MIN_SLOTS) {
            resize(ring.length / 2);
        }
        return oldest;
    }

    /** Retained events with seq &gt; afterSeq, ascending, at most {@code limit}. */
    List<Event> after(long afterSeq, int limit) {
        long from = Math.max(afterSeq + 1, firstSeq());
        long to = Math.min(lastSeq, from + limit - 1);
        List<Event> out = new ArrayList<>((int) Math.max(0, to - from + 1));
        for (long seq = from; seq <= to; seq++) {
            out.add(ring[(int) ((head + (seq - firstSeq())) % ring.length)]);
        }
        return out;
    }

    private void resize(int slots) {
        Event[] resized = new Event[slots];
        for (int i = 0; i < size; i++) {
            resized[i] = ring[(head + i) % ring.length];
        }
        ring = resized;
        head = 0;
    }
}
