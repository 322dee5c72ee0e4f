package io.wirehub.hub;

import io.wirehub.event.Cursor;
import io.wirehub.event.Event;
import io.wirehub.event.Reset;
import io.wirehub.store.EventStore;
import io.wirehub.store.StoreUnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
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
        FOLLOW
    }

    private final long id;
    private final String transport;
    private final Hub hub;
    private final EventStore store;
    private final HubSettings settings;
    private final HubStats stats;
    private final SubscriberSink sink;
    private final LongSupplier nanoClock;
    private final ArrayBlockingQueue<Object> queue;
    private final Cursor cursor;
    private final Map<String, Long> resumeFrom;
    private final AtomicReference<CloseReason> closeReason = new AtomicReference<>(); // null while open
    private final AtomicBoolean lagging = new AtomicBoolean();
    /** Whether the hub counts this subscriber in its live gauge; see {@link Hub#ready}. */
    final AtomicBoolean counted = new AtomicBoolean();
    private final ConcurrentLinkedQueue<String> pendingFollows = new ConcurrentLinkedQueue<>();

    private volatile Thread drainThread;
    private volatile long writeStartedNanos;
    private volatile boolean readingStore;
    private volatile long pingSentNanos;
    private volatile long nextHeartbeatNanos;

    Subscriber(long id, String transport, int queueCapacity, List<String> topics, Map<String, Long> resumeFrom,
            SubscriberSink sink, Hub hub) {
        this.id = id;
        this.transport = transport;
        this.hub = hub;
        this.store = hub.store();
        this.settings = hub.settings();
        this.stats = hub.stats();
        this.sink = sink;
        this.nanoClock = hub.nanoClock();
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.resumeFrom = Map.copyOf(resumeFrom);
        Map<String, Long> start = new HashMap<>();
        topics.forEach(topic -> start.put(topic, -1L));
        this.cursor = new Cursor(start);
        this.nextHeartbeatNanos = nanoClock.getAsLong() + settings.heartbeatInterval().toNanos();
    }

    public long id() {
        return id;
    }

    public String transport() {
        return transport;
    }

    public int queueCapacity() {
        return queue.remainingCapacity() + queue.size();
    }

    public boolean isClosed() {
        return closeReason.get() != null;
    }

    /** Why it closed, or null while open. */
    CloseReason closeReason() {
        return closeReason.get();
    }

    /**
     * Serves the stream until it closes: registers with the hub, takes its position, opens the
     * stream, replays what the client missed, then drains the queue. Runs on the calling thread
     * and returns once the session is over.
     */
    public void run() {
        drainThread = Thread.currentThread();
        stats.drainLoops.incrementAndGet();
        try {
            if (isClosed()) {
                return;
            }
            hub.register(this);
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
            Thread.interrupted(); // an interrupt from close() must not leak into the server's connection loop
            long retry = settings.reconnectRetry().toMillis();
            sink.finish(closeReason.get(), retry + ThreadLocalRandom.current().nextLong(retry * 4 + 1));
            drainThread = null;
            stats.drainLoops.decrementAndGet();
        }
    }

    /**
     * Follows one more topic from its latest seq (WebSocket subscribe). Callable from any thread;
     * the drain thread does the work before its next batch, so the join is ordered with the
     * queue exactly as at start-up: join the hub, then read the latest seq.
     */
    public void follow(String topic) {
        if (isClosed()) {
            return;
        }
        pendingFollows.add(topic);
        queue.offer(Signal.FOLLOW); // a full queue wakes the drain thread anyway
    }

    /** Stops following a topic (WebSocket unsubscribe); queued events of it are dropped. */
    public void unfollow(String topic) {
        if (cursor.remove(topic)) {
            hub.detach(this, topic);
        }
    }

    public List<String> topics() {
        return List.copyOf(cursor.topics());
    }

    /** Whether a heartbeat was sent that the peer has not acknowledged yet. */
    boolean awaitingAck() {
        return pingSentNanos != 0;
    }

    /** The peer acknowledged a heartbeat (WebSocket pong). */
    public void heartbeatAcknowledged() {
        pingSentNanos = 0;
    }

    /**
     * The one close path: idempotent, callable from any thread, never blocks. It removes the
     * subscriber from the hub and interrupts the drain thread, which then ends the connection
     * ({@link SubscriberSink#finish}); an interrupted socket write fails at once, which is how a
     * write stuck on a client that stopped reading is cut off. A store read in progress is not
     * interrupted (that would break a pooled JDBC connection): the loop sees the flag after it.
     *
     * @return true for the call that closed it, false when it was closed already
     */
    public boolean close(CloseReason reason) {
        if (!closeReason.compareAndSet(null, reason)) {
            return false;
        }
        hub.unregister(this, reason);
        Thread thread = drainThread;
        if (thread != null && thread != Thread.currentThread() && !readingStore) {
            thread.interrupt();
        }
        return true;
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
                lagging.set(true);
            }
        }
    }

    /** Marks the subscriber to re-read all its topics from the store (the bus may have lost events). */
    void catchUpSoon() {
        lagging.set(true);
        queue.offer(Signal.CATCH_UP);
    }

    /** Called by the ticker: heartbeat due, write deadline, pong deadline. */
    void tick(long now) {
        if (isClosed()) {
            return;
        }
        long writing = writeStartedNanos;
        if (writing != 0 && now - writing > settings.writeTimeout().toNanos()) {
            close(CloseReason.WRITE_TIMEOUT);
            return;
        }
        long ping = pingSentNanos;
        if (ping != 0 && now - ping > settings.pongTimeout().toNanos()) {
            close(CloseReason.PONG_TIMEOUT);
            return;
        }
        if (now - nextHeartbeatNanos >= 0) {
            nextHeartbeatNanos = now + settings.heartbeatInterval().toNanos();
            queue.offer(Signal.HEARTBEAT); // a full queue means writes are due anyway
        }
    }

    /**
     * Positions the stream, then opens it: a client that sees the stream open (SSE headers) gets
     * every event published from then on.
     */
    private void start() throws IOException {
        // Fresh topics start after the latest seq read *after* registering, so every later event
        // is either queued or found by the gap check; nothing falls between.
        for (String topic : cursor.topics()) {
            if (!resumeFrom.containsKey(topic)) {
                cursor.advance(topic, latestSeq(topic));
            }
        }
        timed(sink::open);
        hub.ready(this);
        if (!resumeFrom.isEmpty()) {
            replay();
        }
        timed(sink::flush);
    }

    /** Capped replay for a reconnecting client: up to replay_limit events per topic, else a reset. */
    private void replay() throws IOException {
        int limit = settings.replayLimit();
        Map<String, List<Event>> missed = fromStore(() -> store.readAfter(resumeFrom, limit + 1));
        resumeFrom.forEach(cursor::advance); // every id written below names every topic's position
        for (Map.Entry<String, Long> entry : resumeFrom.entrySet()) {
            String topic = entry.getKey();
            long after = entry.getValue();
            List<Event> events = missed.getOrDefault(topic, List.of());
            if (events.isEmpty()) {
                if (latestSeq(topic) < after) {
                    reset(topic, Reset.UNKNOWN_CURSOR);
                }
            } else if (events.size() > limit) {
                reset(topic, Reset.REPLAY_LIMIT);
            } else if (events.getFirst().seq() != after + 1) {
                reset(topic, Reset.RETENTION);
            } else {
                for (Event event : events) {
                    write(event);
                }
            }
        }
    }

    private void drainOnce() throws IOException, InterruptedException {
        List<Object> batch = new ArrayList<>();
        batch.add(queue.take());
        joinPendingTopics();
        queue.drainTo(batch);
        for (Object item : batch) {
            if (item instanceof Event event) {
                deliver(event);
            } else if (item == Signal.HEARTBEAT) {
                heartbeat();
            }
        }
        if (lagging.getAndSet(false)) {
            stats.catchUps.increment();
            for (String topic : cursor.topics()) {
                fill(topic, Long.MAX_VALUE);
            }
        }
        timed(sink::flush);
    }

    private void joinPendingTopics() {
        String topic;
        while ((topic = pendingFollows.poll()) != null) {
            if (!cursor.follows(topic)) {
                hub.attach(this, topic);
                cursor.add(topic, latestSeq(topic));
            }
        }
    }

    private void deliver(Event event) throws IOException {
        long position = cursor.position(event.topic());
        if (position < 0 || event.seq() <= position) {
            return; // not followed (any more), or already delivered
        }
        if (event.seq() > position + 1) {
            fill(event.topic(), event.seq() - 1);
            if (event.seq() <= cursor.position(event.topic())) {
                return; // a reset moved the cursor past it
            }
        }
        write(event);
    }

    /** Writes the stored events after the cursor, up to {@code upTo}, in pages; a reset if they are gone. */
    private void fill(String topic, long upTo) throws IOException {
        int page = settings.replayLimit();
        while (!isClosed()) {
            long position = cursor.position(topic);
            if (position < 0 || position >= upTo) {
                return;
            }
            int limit = (int) Math.min(page, upTo - position);
            List<Event> events = fromStore(() -> store.readAfter(topic, position, limit));
            if (events.isEmpty()) {
                return;
            }
            if (events.getFirst().seq() != position + 1) {
                reset(topic, Reset.RETENTION);
                return;
            }
            for (Event event : events) {
                write(event);
            }
            if (events.size() < page) {
                return;
            }
        }
    }

    private void write(Event event) throws IOException {
        cursor.advance(event.topic(), event.seq());
        String token = cursor.token();
        timed(() -> sink.event(event, token));
        stats.deliveries.increment();
    }

    private void reset(String topic, String reason) throws IOException {
        long head = latestSeq(topic);
        cursor.advance(topic, head);
        Reset reset = new Reset(topic, head, reason);
        String token = cursor.token();
        timed(() -> sink.reset(reset, token));
        stats.resets.increment();
    }

    private void heartbeat() throws IOException {
        long sent = nanoClock.getAsLong();
        boolean expectsAck = timedHeartbeat();
        if (expectsAck && pingSentNanos == 0) {
            pingSentNanos = sent;
        }
    }

    private boolean timedHeartbeat() throws IOException {
        writeStartedNanos = nanoClock.getAsLong();
        try {
            return sink.heartbeat();
        } finally {
            writeStartedNanos = 0;
        }
    }

    private long latestSeq(String topic) {
        return fromStore(() -> store.latestSeq(topic));
    }

    /** Runs a store read with interrupts held off (see {@link #close}). */
    private <T> T fromStore(Supplier<T> read) {
        readingStore = true;
        try {
            return read.get();
        } finally {
            readingStore = false;
        }
    }

    /** Runs one write under the write deadline the ticker enforces. */
    private void timed(Write write) throws IOException {
        writeStartedNanos = nanoClock.getAsLong();
        try {
            write.run();
        } finally {
            writeStartedNanos = 0;
        }
    }

    @FunctionalInterface
    private interface Write {
        void run() throws IOException;
    }

    @Override
    public String toString() {
        return transport + "-" + id;
    }
}
