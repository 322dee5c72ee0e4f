package io.wirehub.store.memory;

import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.store.EventStore;
import io.wirehub.store.Snapshot;
import io.wirehub.store.StoreStats;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The embedded store: per topic, the last events in memory, within three bounds: at most
 * {@code maxEventsPerTopic} per topic, at most {@code maxBytes} in all (an estimate, see
 * {@link #cost}), at most {@code maxTopics} topics. Publishes are never refused: past a bound the
 * globally oldest events are evicted first, and a replay that needed them becomes a reset.
 *
 * <p>Seqs never go back. They keep counting after old events are evicted; a topic whose events are
 * all gone keeps a small entry (its name and last seq) so it continues where it was. Only past
 * {@code maxTopics} are such empty topics forgotten, the longest-empty first, and then the store's
 * seq floor rises to their last seq: every topic created afterwards starts above the floor. So a
 * cursor of a forgotten topic is always behind its next events (the client gets a reset) and never
 * ahead of them (which would drop them as duplicates: a silent gap). Nothing survives a restart;
 * the {@code epoch} tells the clients (see {@code docs/replay.md}).
 *
 * <p>A topic followed by a stream ({@link #follow}) but without events here keeps the seq it was
 * handed out at: the floor rising meanwhile (another topic forgotten) must not make its first event
 * look like a jump, which the stream would take for lost events (a reset, and the event dropped).
 * So a followed topic without a log reports, and its new log continues after, the seq it reported
 * first, or the last seq of its own forgotten log; never the floor as it is now.
 *
 * <p>Cost: {@link #cost} per event plus one eviction entry, counted in {@link #bytes()}; about 200
 * bytes plus the name per topic, bounded by {@code maxTopics}. Locks: topic locks in name order,
 * then {@link #retainedLock}; never the other way round.
 */
public final class MemoryEventStore implements EventStore, StoreStats.Memory {
    // Per event beyond its text: the Event object, the headers of its strings and arrays, its ring slot.
    static final int EVENT_OVERHEAD = 160;
    // One entry of the eviction queue; counted until the queue lets go of it.
    static final int RETAINED_ENTRY = 48;

    private final int maxEventsPerTopic;
    private final long maxBytes;
    private final int maxTopics;
    private final InstantSource clock;
    // NOTE: a new one per start: seqs count from 1 again, so cursors of the last run must not be taken at their word.
    private final String epoch = HexFormat.of().toHexDigits(new SecureRandom().nextInt());
    private final ConcurrentHashMap<String, TopicLog> logs = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong floor = new AtomicLong(); // the last seq of any forgotten topic
    // Followed topics (a stream here follows them) -> the seq a log made for them continues after.
    // Bounded by the topics the hub follows; meaningful only while the topic has no log.
    private final ConcurrentHashMap<String, Long> followed = new ConcurrentHashMap<>();

    private final ReentrantLock retainedLock = new ReentrantLock();
    private final ArrayDeque<Retained> retained = new ArrayDeque<>(); // every stored event, oldest first
    private final LinkedHashSet<TopicLog> emptied = new LinkedHashSet<>(); // empty topics, longest-empty first

    /** An event in eviction order; stale once the per-topic cap pushed it out of its ring. */
    private record Retained(TopicLog log, long seq) {}

    /** Bounded by the count per topic only: for tests and tools that publish a known amount. */
    public MemoryEventStore(int maxEventsPerTopic, InstantSource clock) {
        this(maxEventsPerTopic, Long.MAX_VALUE, Integer.MAX_VALUE, clock);
    }

    public MemoryEventStore(int maxEventsPerTopic, long maxBytes, int maxTopics, InstantSource clock) {
        if (maxEventsPerTopic < 1 || maxBytes < 1 || maxTopics < 1) {
            throw new IllegalArgumentException("the memory store's bounds must be at least 1");
        }
        this.maxEventsPerTopic = maxEventsPerTopic;
        this.maxBytes = maxBytes;
        this.maxTopics = maxTopics;
        this.clock = clock;
    }

    @Override
    public List<Event> append(List<NewEvent> events) {
        List<Event> stored;
        do {
            stored = tryAppend(events);
        } while (stored == null);
        while (bytes.get() > maxBytes && evictOldest()) {
            // each round frees the globally oldest event
        }
        while (logs.size() > maxTopics && forgetOne()) {
            // each round forgets an empty topic or empties one
        }
        return stored;
    }

    /** Stores the batch all or nothing across topics; null when a topic was forgotten meanwhile. */
    private List<Event> tryAppend(List<NewEvent> events) {
        // Lock every topic of the batch in name order, so two batches never wait on each other in a cycle.
        TreeMap<String, TopicLog> locked = new TreeMap<>();
        for (NewEvent event : events) {
            locked.computeIfAbsent(
                    event.topic(), topic -> logs.computeIfAbsent(topic, t -> new TopicLog(t, seqWithoutLog(t))));
        }
        locked.values().forEach(log -> log.lock.lock());
        try {
            if (locked.values().stream().anyMatch(log -> log.forgotten)) {
                return null;
            }
            long now = clock.millis();
            List<Event> stored = new ArrayList<>(events.size());
            for (NewEvent event : events) {
                TopicLog log = locked.get(event.topic());
                Event next = new Event(event.topic(), log.lastSeq() + 1, event.type(), event.data(), event.json(), now);
                Event dropped = log.add(next, maxEventsPerTopic);
                bytes.addAndGet(cost(next) - (dropped == null ? 0 : cost(dropped)));
                stored.add(next);
            }
            retainedLock.lock();
            try {
                for (Event event : stored) {
                    TopicLog log = locked.get(event.topic());
                    retained.addLast(new Retained(log, event.seq()));
                    emptied.remove(log);
                }
                bytes.addAndGet((long) RETAINED_ENTRY * stored.size());
            } finally {
                retainedLock.unlock();
            }
            return stored;
        } finally {
            locked.descendingMap().values().forEach(log -> log.lock.unlock());
        }
    }

    /** Evicts the globally oldest event still queued; false when none is. */
    private boolean evictOldest() {
        Retained oldest;
        retainedLock.lock();
        try {
            oldest = retained.pollFirst();
        } finally {
            retainedLock.unlock();
        }
        if (oldest == null) {
            return false;
        }
        bytes.addAndGet(-RETAINED_ENTRY);
        TopicLog log = oldest.log();
        log.lock.lock();
        try {
            // Everything up to this seq: an entry polled by a racing thread may name an older one.
            while (!log.isEmpty() && log.firstSeq() <= oldest.seq()) {
                bytes.addAndGet(-cost(log.removeOldest()));
            }
            if (log.isEmpty() && !log.forgotten) {
                retainedLock.lock();
                try {
                    emptied.add(log);
                } finally {
                    retainedLock.unlock();
                }
            }
        } finally {
            log.lock.unlock();
        }
        return true;
    }

    /** Forgets the longest-empty topic, or evicts the oldest event when no topic is empty; false when neither is possible. */
    private boolean forgetOne() {
        TopicLog candidate = null;
        retainedLock.lock();
        try {
            Iterator<TopicLog> longestEmpty = emptied.iterator();
            if (longestEmpty.hasNext()) {
                candidate = longestEmpty.next();
                longestEmpty.remove();
            }
        } finally {
            retainedLock.unlock();
        }
        if (candidate == null) {
            return evictOldest();
        }
        candidate.lock.lock();
        try {
            if (candidate.isEmpty() && !candidate.forgotten) {
                candidate.forgotten = true;
                // The floor rises before the topic leaves the map: a log made for it afterwards starts above.
                floor.accumulateAndGet(candidate.lastSeq(), Math::max);
                // A followed topic comes back where it was, not at the floor: see follow().
                long last = candidate.lastSeq();
                followed.computeIfPresent(candidate.topic, (topic, seq) -> last);
                logs.remove(candidate.topic, candidate);
            }
        } finally {
            candidate.lock.unlock();
        }
        return true;
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
    public String epoch() {
        return epoch;
    }

    @Override
    public long latestSeq(String topic) {
        TopicLog log = logs.get(topic);
        if (log == null) {
            return seqWithoutLog(topic);
        }
        log.lock.lock();
        try {
            return log.lastSeq();
        } finally {
            log.lock.unlock();
        }
    }

    @Override
    public Snapshot snapshot(String topic, int limit, long maxBytes) {
        TopicLog log = logs.get(topic);
        if (log == null) {
            return new Snapshot(topic, seqWithoutLog(topic), List.of());
        }
        long seq;
        List<Event> events;
        log.lock.lock();
        try {
            seq = log.lastSeq();
            events = log.after(Math.max(0, seq - limit), limit);
        } finally {
            log.lock.unlock();
        }
        // The events are in memory anyway; the cap keeps what a snapshot gives the same as PostgreSQL's.
        return Snapshot.newestThatFit(topic, seq, events, maxBytes);
    }

    /**
     * A stream here follows the topic from now on (the hub's first subscriber of it arrived). Until
     * {@link #unfollow}, the topic's seq does not move with the floor: a subscriber positioned at
     * it gets its first event as the next seq. Returns at once (the hub holds a lock).
     */
    public void follow(String topic) {
        // compute, not put: atomic with forgetOne's computeIfPresent, and the floor read here is
        // at least the last seq of any log of this topic forgotten before.
        followed.computeIfAbsent(topic, t -> floor.get());
    }

    /** No stream here follows the topic any more (the hub's last subscriber of it left). */
    public void unfollow(String topic) {
        followed.remove(topic);
    }

    /** The seq a topic without a log is at: the one it was followed at, else the floor. */
    private long seqWithoutLog(String topic) {
        Long kept = followed.get(topic);
        return kept != null ? kept : floor.get();
    }

    @Override
    public StoreStats stats() {
        return this;
    }

    /** The estimated bytes the retained events take now; at most {@code maxBytes} between publishes. */
    @Override
    public long bytes() {
        return bytes.get();
    }

    /** Topics with an entry now, empty ones included; at most {@code maxTopics} between publishes. */
    @Override
    public int topicCount() {
        return logs.size();
    }

    @Override
    public boolean isHealthy() {
        return true;
    }

    @Override
    public void close() {
        logs.clear();
        followed.clear();
        retainedLock.lock();
        try {
            retained.clear();
            emptied.clear();
        } finally {
            retainedLock.unlock();
        }
        bytes.set(0);
    }

    /**
     * An event's estimated heap cost: its data, its SSE frame and WebSocket payload once encoded (a
     * byte per character each: ASCII and Latin-1 text; other text can take twice that), its names.
     */
    static long cost(Event event) {
        int type = event.type() == null ? 0 : event.type().length();
        return EVENT_OVERHEAD + 3L * event.data().length() + event.topic().length() + type;
    }
}
