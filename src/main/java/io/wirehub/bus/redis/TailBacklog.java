package io.wirehub.bus.redis;

import io.wirehub.event.Event;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The newest event per topic whose PUBLISH failed, to send again once Redis answers.
 *
 * <p>Why only the newest per topic: every event is already in the store, and a hub that sees a
 * seq jump reads the missing range from it. So re-publishing the tail of each topic is enough for
 * the other instances to recover everything in order, and the backlog's size is bounded by
 * topics, not by how long the outage lasts.
 *
 * <p>It matters when this instance's publishes fail while the other instances stay subscribed (a
 * stale pooled connection, a full pool, a timeout): they see no reconnect, so without it the last
 * events of a quiet topic would reach them only with the topic's next event. When Redis as a whole
 * was down, their own reconnect backfill covers it and these re-publishes arrive as duplicates,
 * which hubs drop.
 */
final class TailBacklog {
    private final int maxTopics;
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<String, Event> tails = new LinkedHashMap<>();
    private volatile boolean empty = true;
    private long dropped;

    /**
     * @param maxTopics past this, the longest-waiting topic is forgotten; its subscribers
     *     elsewhere recover with its next event or their next reconnect
     */
    TailBacklog(int maxTopics) {
        this.maxTopics = maxTopics;
    }

    void keep(List<Event> events) {
        lock.lock();
        try {
            for (Event event : events) {
                Event kept = tails.get(event.topic());
                if (kept == null || kept.seq() < event.seq()) {
                    tails.remove(event.topic()); // re-insert: the order is that of the last failure
                    tails.put(event.topic(), event);
                }
            }
            Iterator<Event> oldest = tails.values().iterator();
            while (tails.size() > maxTopics) {
                oldest.next();
                oldest.remove();
                dropped++;
            }
            empty = tails.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Everything kept, oldest first; the backlog is empty afterwards. */
    List<Event> takeAll() {
        if (empty) {
            return List.of(); // the common case: no lock on the publish path
        }
        lock.lock();
        try {
            List<Event> all = new ArrayList<>(tails.values());
            tails.clear();
            empty = true;
            return all;
        } finally {
            lock.unlock();
        }
    }

    /** Topics whose last event waits to be sent again. */
    int size() {
        lock.lock();
        try {
            return tails.size();
        } finally {
            lock.unlock();
        }
    }

    boolean isEmpty() {
        return empty;
    }

    /** Topics forgotten because the backlog was full. */
    long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }
}
