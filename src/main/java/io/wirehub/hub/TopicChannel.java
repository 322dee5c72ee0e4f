package io.wirehub.hub;

import io.wirehub.event.Event;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One active topic in the hub: its subscribers here, the last seq dispatched to them (-1: none
 * yet) and the events held ahead of a gap. All but the subscriber set are guarded by the lock,
 * which also serializes dispatch; the entry exists while the topic has subscribers.
 */
final class TopicChannel {
    final String topic;
    final ReentrantLock lock = new ReentrantLock();
    final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    final TreeMap<Long, Event> early = new TreeMap<>();
    long lastSeq = -1;
    volatile long gapSinceNanos;

    TopicChannel(String topic) {
        this.topic = topic;
    }

    /** Offers the event to every subscriber: one shared queue item, and never a wait. */
    void offer(Event event) {
        QueueItem.Delivery delivery = new QueueItem.Delivery(event);
        for (Subscriber subscriber : subscribers) {
            subscriber.offer(delivery);
        }
    }
}
