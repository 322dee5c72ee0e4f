package io.wirehub.store.memory;

import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.store.EventStore;
import io.wirehub.store.Snapshot;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The embedded store: per topic, a ring of the last {@code maxEventsPerTopic} events.
 *
 * <p>Seqs keep counting after old events fall off the ring, so a cursor older than the ring is
 * seen as "past retention" (the caller sends a reset), never as a silent jump. Nothing survives a
 * restart: seqs start again at 1, and a client whose cursor is ahead of the topic gets a reset.
 *
 * <p>Memory: one {@link Event} (its data plus, once encoded, its frames) per retained event.
 */
public final class MemoryEventStore implements EventStore {
    private final int maxEventsPerTopic;
    private final InstantSource clock;
    private final ConcurrentHashMap<String, TopicLog> logs = new ConcurrentHashMap<>();

    public MemoryEventStore(int maxEventsPerTopic, InstantSource clock) {
        if (maxEventsPerTopic < 1) {
            throw new IllegalArgumentException("maxEventsPerTopic must be at least 1");
        }
        this.maxEventsPerTopic = maxEventsPerTopic;
        this.clock = clock;
    }

    @Override
    public List<Event> append(List<NewEvent> events) {
        // All or nothing across topics: lock every topic of the batch, in name order so two
        // batches never wait on each other in a cycle.
        TreeMap<String, TopicLog> locked = new TreeMap<>();
        for (NewEvent event : events) {
            locked.computeIfAbsent(event.topic(), this::log);
        }
        locked.values().forEach(log -> log.lock.lock());
        try {
            long now = clock.millis();
            List<Event> stored = new ArrayList<>(events.size());
            for (NewEvent event : events) {
                TopicLog log = locked.get(event.topic());
                stored.add(log.add(new Event(event.topic(), log.lastSeq + 1, event.type(), event.data(), event.json(), now)));
            }
            return stored;
        } finally {
            locked.descendingMap().values().forEach(log -> log.lock.unlock());
        }
    }

    @Override
    public List<Event> readAfter(String topic, long afterSeq, int limit) {
        TopicLog log = logs.get(topic);
        if (log == null) {
            return List.of();
        }
        log.lock.lock();
        try {
            return log.after(afterSeq, limit);
        } finally {
            log.lock.unlock();
        }
    }

    @Override
    public long latestSeq(String topic) {
        TopicLog log = logs.get(topic);
        if (log == null) {
            return 0;
        }
        log.lock.lock();
        try {
            return log.lastSeq;
        } finally {
            log.lock.unlock();
        }
    }

    @Override
    public Snapshot snapshot(String topic, int limit) {
        TopicLog log = logs.get(topic);
        if (log == null) {
            return new Snapshot(topic, 0, List.of());
        }
        log.lock.lock();
        try {
            return new Snapshot(topic, log.lastSeq, log.after(Math.max(0, log.lastSeq - limit), limit));
        } finally {
            log.lock.unlock();
        }
    }

    @Override
    public boolean isHealthy() {
        return true;
    }

    @Override
    public void close() {
        logs.clear();
    }

    private TopicLog log(String topic) {
        return logs.computeIfAbsent(topic, t -> new TopicLog(maxEventsPerTopic));
    }

    /** A fixed ring: slot (seq % capacity) holds the event with that seq while it is retained. */
    private static final class TopicLog {
        final ReentrantLock lock = new ReentrantLock();
        final Event[] ring;
        long lastSeq;

        TopicLog(int capacity) {
            ring = new Event[capacity];
        }

        Event add(Event event) {
            ring[(int) (event.seq() % ring.length)] = event;
            lastSeq = event.seq();
            return event;
        }

        List<Event> after(long afterSeq, int limit) {
            long oldest = Math.max(1, lastSeq - ring.length + 1);
            long from = Math.max(afterSeq + 1, oldest);
            long to = Math.min(lastSeq, from + limit - 1);
            List<Event> out = new ArrayList<>((int) Math.max(0, to - from + 1));
            for (long seq = from; seq <= to; seq++) {
                out.add(ring[(int) (seq % ring.length)]);
            }
            return out;
        }
    }
}
