package io.wirehub.hub;

import io.wirehub.event.Cursor;
import io.wirehub.event.Event;
import io.wirehub.event.Reset;
import io.wirehub.store.EventStore;
import io.wirehub.store.StoreUnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One stream (an SSE response or a WebSocket session): its bounded queue, its cursor, the drain
 * loop that writes to the client, and its one close path.
 *
 * <p>Invariant: the client receives each event of its topics once, in seq order, or a
 * {@link Reset}. The drain loop enforces it on its own, whatever the hub or the bus do: an event
 * at or below the cursor is dropped as a duplicate, and an event above cursor + 1 is preceded by
 * the missing range read from the store (or a reset when the store no longer has it).
 *
 * <p>Threads: {@link #run()} is the drain thread (the SSE handler's own virtual thread, or one
 * started for the WebSocket). The hub calls {@link #offer} from publishing or bus threads and
 * never blocks; the ticker calls {@link #tick}; {@link #close} is safe from any thread, any
 * number of times. Cost: the queue's slots (references to shared events) and the cursor.
 */
public final class Subscriber {
    /** Queue signals besides events; the queue holds {@link Event} or one of these. */
    enum Signal {
        HEARTBEAT,
        CATCH_UP,
        TOPICS_CHANGED
    }

    /** A WebSocket subscribe or unsubscribe, applied by the drain thread in the order received. */
    private record TopicChange(String topic, boolean follow) {}

    // A client that sends subscribe/unsubscribe faster than its stream applies them (each may
    // cost a store read) is closed past this many pending, instead of growing the heap.
    static final int MAX_PENDING_TOPIC_CHANGES = 256;

    private final long id;
    private final String transport;
    private final Hub hub;
    private final EventStore store;
    private final HubSettings settings;
    private final HubStats stats;
    private final ArrayBlockingQueue<Object> queue;
    private final Cursor cursor;
    private final StreamWriter writer;
    private final SubscriberSink sink;
    private final List<String> initialTopics;
    private final Map<String, Long> resumeFrom;
    private final Set<String> unknownCursors;
    private final AtomicReference<CloseReason> closeReason = new AtomicReference<>(); // null while open
    private final AtomicBoolean lagging = new AtomicBoolean();
    private final ArrayBlockingQueue<TopicChange> topicChanges = new ArrayBlockingQueue<>(MAX_PENDING_TOPIC_CHANGES);
    // The topics this subscriber is attached to in the hub: a superset of the cursor's while a
    // join is under way, so cleanup finds every hub entry whatever failed half-way.
    private final Set<String> joined = ConcurrentHashMap.newKeySet();
    /** Whether the hub counts this subscriber in its live gauge; see {@link Hub#ready}. */
    final AtomicBoolean counted = new AtomicBoolean();

    // Guards the drain thread's identity and whether it is in a store read, against close()'s
    // interrupt: an interrupt must neither land in a JDBC call (it would break a pooled
    // connection) nor reach the thread after the loop ended (for SSE that thread is Helidon's).
    private final ReentrantLock interruptLock = new ReentrantLock();
    private Thread drainThread;
    private boolean readingStore;

    private volatile long nextHeartbeatNanos;
    private volatile long positionedAtNanos; // 0 until positioned
    private volatile boolean running; // the drain loop started

    Subscriber(long id, String transport, int queueCapacity, List<String> topics, Map<String, Long> resumeFrom,
            Set<String> unknownCursors, SubscriberSink sink, Hub hub) {
        this.id = id;
        this.transport = transport;
        this.hub = hub;
        this.store = hub.store();
        this.settings = hub.settings();
        this.stats = hub.stats();
        this.sink = sink;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.initialTopics = List.copyOf(topics);
        this.resumeFrom = Map.copyOf(resumeFrom);
        this.unknownCursors = Set.copyOf(unknownCursors);
        this.cursor = new Cursor(Map.of());
        this.writer = new StreamWriter(sink, cursor, stats, hub.nanoClock(), this::isClosed);
        this.nextHeartbeatNanos = hub.nanoClock().getAsLong() + settings.heartbeatInterval().toNanos();
    }

    public long id() {
        return id;
    }

    public String transport() {
        return transport;
    }

    public boolean isClosed() {
        return closeReason.get() != null;
    }

    /** Why it closed, or null while open. */
    CloseReason closeReason() {
        return closeReason.get();
    }

    public List<String> topics() {
        return List.copyOf(cursor.topics());
    }

    /** The topics attached in the hub now (the hub's cleanup walks these). */
    Set<String> joinedTopics() {
        return joined;
    }

    /**
     * Joins the hub and takes the stream's position in every topic: where a reconnecting client
     * left off, else after the topic's latest event. Runs before the client can see the stream
     * open (SSE: before the headers, from {@link #run}; WebSocket: before the {@code 101}), so
     * every event published after the client saw it open reaches it. Idempotent.
     *
     * @throws IOException when the stream closed meanwhile, or the store cannot say where a
     *     topic is (then it is closed as {@link CloseReason#STORE_UNAVAILABLE})
     */
    public void position() throws IOException {
        if (positionedAtNanos != 0) {
            return;
        }
        hub.register(this);
        try {
            for (String topic : initialTopics) {
                Long resumed = resumeFrom.get(topic);
                long known = hub.attach(this, topic);
                cursor.add(topic, resumed != null ? resumed : known >= 0 ? known : latestSeq(topic));
            }
        } catch (StoreUnavailableException e) {
            close(CloseReason.STORE_UNAVAILABLE); // the client retries; nothing was promised yet
            throw new IOException("the event store cannot say where the stream starts", e);
        }
        long now = hub.nanoClock().getAsLong();
        positionedAtNanos = now == 0 ? 1 : now;
    }

    /**
     * Serves the stream until it closes: takes its position (unless the transport did already),
     * opens the stream, replays what the client missed, then drains the queue. Runs on the calling
     * thread and returns once the session is over.
     */
    public void run() {
        interruptLock.lock();
        try {
            drainThread = Thread.currentThread();
        } finally {
            interruptLock.unlock();
        }
        running = true;
        stats.drainLoops.incrementAndGet();
        try {
            position();
            start();
            while (!isClosed()) {
                drainOnce();
            }
        } catch (IOException | UncheckedIOException e) {
            close(CloseReason.CLIENT_GONE); // the normal end of a stream whose client left
        } catch (StoreUnavailableException e) {
            close(CloseReason.STORE_UNAVAILABLE); // the client reconnects and resumes from its cursor
        } catch (RuntimeException e) {
            if (close(CloseReason.ERROR)) {
                hub.logUnexpected(this, e);
            }
        } catch (InterruptedException e) {
            close(CloseReason.SHUTDOWN);
        } finally {
            close(CloseReason.ERROR); // no-op when already closed, which is the normal case
            hub.unregister(this, closeReason()); // again: a topic joined while close() ran is left now
            finish();
            stats.drainLoops.decrementAndGet();
        }
    }

    /**
     * Ends the connection, saying why where the protocol can. The final write has a deadline like
     * every other: the ticker watches it ({@link #tick}) and interrupts it past write_timeout, so
     * a client that stopped reading cannot keep this thread and its socket.
     */
    private void finish() {
        Thread.interrupted(); // an interrupt from close() that found no write to cut must not fail this one
        long retry = settings.reconnectRetry().toMillis();
        hub.finishing(this, true);
        try {
            writer.finish(closeReason(), retry + ThreadLocalRandom.current().nextLong(retry * 4 + 1));
        } finally {
            hub.finishing(this, false);
            interruptLock.lock();
            try {
                drainThread = null; // no interrupt can come after this
            } finally {
                interruptLock.unlock();
            }
            Thread.interrupted(); // one from the ticker must not leak into the server's connection loop
        }
    }

    /** Follows one more topic from its latest seq (WebSocket subscribe); applied by the drain thread. */
    public void follow(String topic) {
        changeTopics(new TopicChange(topic, true));
    }

    /** Stops following a topic (WebSocket unsubscribe); queued events of it are dropped. */
    public void unfollow(String topic) {
        changeTopics(new TopicChange(topic, false));
    }

    private void changeTopics(TopicChange change) {
        if (isClosed()) {
            return;
        }
        if (!topicChanges.offer(change)) {
            close(CloseReason.SUBSCRIPTION_FLOOD);
            return;
        }
        queue.offer(Signal.TOPICS_CHANGED); // a full queue wakes the drain thread anyway
    }

    /** The peer acknowledged a heartbeat (WebSocket pong). */
    public void heartbeatAcknowledged() {
        writer.heartbeatAcknowledged();
    }

    boolean awaitingAck() {
        return writer.awaitingAck();
    }

    /** Whether the drain thread is inside a write now (tests wait for a quiet stream). */
    boolean writing() {
        return writer.writing();
    }

    /**
     * The one close path: idempotent, callable from any thread, never blocks on I/O. It removes
     * the subscriber from the hub and interrupts the drain thread, which then ends the connection
     * ({@link SubscriberSink#finish}); an interrupted socket write fails at once, which is how a
     * write stuck on a client that stopped reading is cut off. A store read in progress is not
     * interrupted: no write follows it once the stream is closed.
     *
     * @return true for the call that closed it, false when it was closed already
     */
    public boolean close(CloseReason reason) {
        if (!closeReason.compareAndSet(null, reason)) {
            return false;
        }
        hub.unregister(this, reason);
        interruptDrainThread();
        return true;
    }

    private void interruptDrainThread() {
        interruptLock.lock();
        try {
            if (drainThread != null && drainThread != Thread.currentThread() && !readingStore) {
                drainThread.interrupt();
            }
        } finally {
            interruptLock.unlock();
        }
    }

    /** Called by the hub: never blocks. A full queue makes the subscriber lag (or close, by policy). */
    void offer(Object item) {
        if (queue.offer(item)) {
            return;
        }
        if (item instanceof Event) {
            stats.overflows.increment();
            if (settings.overflowPolicy() == OverflowPolicy.DISCONNECT) {
                close(CloseReason.OVERFLOW);
            } else {
                catchUpSoon(); // the signal matters if the queue emptied since the failed offer
            }
        }
    }

    /** Marks the subscriber to re-read all its topics from the store, and wakes it. */
    void catchUpSoon() {
        lagging.set(true);
        queue.offer(Signal.CATCH_UP);
    }

    /** Called by the ticker: heartbeat due, write deadline, pong deadline. */
    void tick(long now) {
        if (isClosed()) {
            if (writer.writeOverdue(now, settings.writeTimeout().toNanos())) {
                interruptDrainThread(); // the final write (see finish()) is stuck on a client that stopped reading
            }
            return;
        }
        if (!running && positionedAtNanos != 0 && now - positionedAtNanos > settings.writeTimeout().toNanos()) {
            close(CloseReason.CLIENT_GONE); // positioned for a WebSocket whose upgrade never completed
        } else if (writer.writeOverdue(now, settings.writeTimeout().toNanos())) {
            close(CloseReason.WRITE_TIMEOUT);
        } else if (writer.pongOverdue(now, settings.pongTimeout().toNanos())) {
            close(CloseReason.PONG_TIMEOUT);
        } else if (now - nextHeartbeatNanos >= 0) {
            nextHeartbeatNanos = now + settings.heartbeatInterval().toNanos();
            queue.offer(Signal.HEARTBEAT); // a full queue means writes are due anyway
        }
    }

    /**
     * Positions the stream, then opens it: a client that sees the stream open (SSE headers) gets
     * every event published from then on.
     */
    private void start() throws IOException {
        writer.open();
        hub.ready(this);
        if (!resumeFrom.isEmpty() || !unknownCursors.isEmpty()) {
            replay();
        }
        writer.flush();
    }

    /**
     * Capped replay for a reconnecting client: up to replay_limit events per topic, else a reset.
     * A topic whose cursor came from another store (epoch) is reset first; start() has put it at
     * its latest seq, so no id written here carries the foreign position.
     */
    private void replay() throws IOException {
        int limit = settings.replayLimit();
        Map<String, List<Event>> missed = fromStore(() -> store.readAfter(resumeFrom, limit + 1));
        resumeFrom.forEach(cursor::advance); // every id written below names every topic's position
        for (String topic : unknownCursors) {
            reset(topic, Reset.UNKNOWN_CURSOR);
        }
        for (Map.Entry<String, Long> entry : resumeFrom.entrySet()) {
            String topic = entry.getKey();
            long after = entry.getValue();
            List<Event> events = missed.getOrDefault(topic, List.of());
            if (events.size() > limit) {
                reset(topic, Reset.REPLAY_LIMIT);
            } else if (events.isEmpty() && latestSeq(topic) < after) {
                reset(topic, Reset.UNKNOWN_CURSOR);
            } else {
                fill(topic, Long.MAX_VALUE, events);
            }
        }
    }

    private void drainOnce() throws IOException, InterruptedException {
        List<Object> batch = new ArrayList<>();
        batch.add(queue.take());
        applyTopicChanges();
        queue.drainTo(batch);
        for (Object item : batch) {
            if (item instanceof Event event) {
                deliver(event);
            } else if (item == Signal.HEARTBEAT) {
                writer.heartbeat();
            }
        }
        if (lagging.getAndSet(false)) {
            stats.catchUps.increment();
            for (String topic : cursor.topics()) {
                fill(topic, Long.MAX_VALUE, null);
            }
        }
        writer.flush();
    }

    /**
     * Applies pending subscribes and unsubscribes, each acknowledged with the seq it starts (or
     * stopped) after. A topic is joined the way {@link #position()} joins one: hub first, then the
     * position, so no event falls between; if taking the position fails, the topic is left again.
     */
    private void applyTopicChanges() throws IOException, InterruptedException {
        TopicChange change;
        while ((change = topicChanges.poll()) != null) {
            String topic = change.topic();
            if (change.follow() && !cursor.follows(topic)) {
                join(topic);
            } else if (!change.follow() && cursor.follows(topic)) {
                long last = cursor.position(topic);
                cursor.remove(topic);
                hub.detach(this, topic);
                writer.topicChanged(topic, false, last);
                continue;
            }
            if (change.follow()) {
                writer.topicChanged(topic, true, cursor.position(topic));
            }
        }
    }

    private void join(String topic) throws IOException, InterruptedException {
        boolean joinedFully = false;
        try {
            long known = hub.attach(this, topic);
            cursor.add(topic, known >= 0 ? known : latestSeqForJoin(topic));
            joinedFully = true;
        } finally {
            if (!joinedFully) {
                hub.detach(this, topic);
            }
        }
    }

    /**
     * The latest seq of a topic nobody here follows yet: a store read, taken under the hub's
     * small join permit, so clients subscribing to many topics cannot take the store connections
     * other streams' replays need.
     */
    private long latestSeqForJoin(String topic) throws IOException, InterruptedException {
        hub.joinReads().acquire();
        try {
            return latestSeq(topic);
        } finally {
            hub.joinReads().release();
        }
    }

    private void deliver(Event event) throws IOException {
        long position = cursor.position(event.topic());
        if (position < 0 || event.seq() <= position) {
            return; // not followed (any more), or already delivered
        }
        if (event.seq() > position + 1) {
            fill(event.topic(), event.seq() - 1, null);
            if (cursor.position(event.topic()) < event.seq() - 1) {
                reset(event.topic(), Reset.RETENTION); // never write past a gap without saying so
            }
            if (event.seq() <= cursor.position(event.topic())) {
                return; // a reset moved the cursor past it
            }
        }
        writer.event(event);
    }

    /**
     * Writes the stored events after the cursor, up to {@code upTo}, in pages of replay_limit;
     * sends a reset when they are no longer stored.
     *
     * @param firstPage events already read for the first page, or null to read it
     */
    private void fill(String topic, long upTo, List<Event> firstPage) throws IOException {
        int page = settings.replayLimit();
        List<Event> events = firstPage;
        while (true) {
            long position = cursor.position(topic);
            if (position < 0 || position >= upTo) {
                return;
            }
            if (events == null) {
                int limit = (int) Math.min(page, upTo - position);
                events = fromStore(() -> store.readAfter(topic, position, limit));
            }
            if (events.isEmpty()) {
                if (latestSeq(topic) <= position) {
                    return; // caught up
                }
                // The topic is ahead of the cursor: read again (an event committed between the
                // two reads is no loss); still nothing stored after the cursor means retention.
                events = fromStore(() -> store.readAfter(topic, position, page));
                if (events.isEmpty()) {
                    reset(topic, Reset.RETENTION);
                    return;
                }
            }
            for (Event event : events) {
                long at = cursor.position(topic);
                if (event.seq() > upTo) {
                    return;
                }
                if (event.seq() > at + 1) {
                    // A hole inside the page: retention removed it (writers' clocks differ).
                    reset(topic, Reset.RETENTION);
                    return;
                }
                if (event.seq() == at + 1) {
                    writer.event(event);
                }
            }
            if (events.size() < page) {
                return;
            }
            events = null;
        }
    }

    private void reset(String topic, String reason) throws IOException {
        writer.reset(topic, latestSeq(topic), reason);
    }

    private long latestSeq(String topic) throws IOException {
        return fromStore(() -> store.latestSeq(topic));
    }

    /** Runs a store read with interrupts held off (see {@link #close}); none starts once closed. */
    private <T> T fromStore(Supplier<T> read) throws IOException {
        interruptLock.lock();
        try {
            if (isClosed()) {
                throw new IOException("stream closed");
            }
            readingStore = true;
        } finally {
            interruptLock.unlock();
        }
        try {
            return read.get();
        } finally {
            interruptLock.lock();
            try {
                readingStore = false;
            } finally {
                interruptLock.unlock();
            }
        }
    }

    @Override
    public String toString() {
        return transport + "-" + id;
    }
}
