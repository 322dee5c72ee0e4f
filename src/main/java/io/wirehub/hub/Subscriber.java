package io.wirehub.hub;

import io.wirehub.event.Cursor;
import io.wirehub.event.Reset;
import io.wirehub.hub.QueueItem.Delivery;
import io.wirehub.hub.QueueItem.Signal;
import io.wirehub.store.EventStore;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One stream (an SSE response or a WebSocket session): its bounded queue, its cursor, its
 * lifecycle ({@link StreamState}, one value) and its one close path. The transport runs it; the
 * hub offers it events; the ticker enforces its deadlines ({@link StreamDeadlines}).
 *
 * <p>Invariant: the client receives each event of its topics once, in seq order, or a
 * {@link Reset}. The drain loop enforces it on its own, whatever the hub or the bus do: an event
 * at or below the cursor is dropped as a duplicate, and an event above cursor + 1 is preceded by
 * the missing range read from the store, or a reset when the store no longer has it
 * ({@link DrainLoop}, {@link CatchUp}).
 *
 * <p>Threads: {@link #run()} is the drain thread (the SSE handler's own virtual thread, or one
 * started for the WebSocket). The hub calls {@link #offer} from publishing or bus threads and
 * never blocks; the ticker calls {@link #tick}; {@link #close} is safe from any thread, any
 * number of times. Cost: the queue's slots (references to shared events) and the cursor.
 */
public final class Subscriber {
    private final long id;
    private final Transport transport;
    private final StreamStart start;
    private final Streams streams;
    private final HubStats stats;
    private final LongSupplier nanoClock;
    private final Inbox inbox;
    private final Cursor cursor;
    private final StreamWriter writer;
    private final DrainThread drainThread = new DrainThread(this::isClosed);
    private final TopicChanges topicChanges;
    private final DrainLoop loop;
    private final AtomicReference<StreamState> state = new AtomicReference<>(StreamState.NEW);
    private final StreamDeadlines deadlines;
    private final Lag lag = new Lag();
    private final Membership membership;

    // What an operator sees of it (GET /v1/admin/subscribers); no logic depends on these.
    private final long connectedAtMillis = System.currentTimeMillis();
    private volatile String remoteAddress = "";

    /** @param lifetime how long the stream may last (its token's validity), or null: no end */
    Subscriber(
            long id,
            Transport transport,
            StreamStart start,
            SubscriberSink sink,
            Hub hub,
            EventStore store,
            Duration lifetime,
            LongSupplier nanoClock) {
        this.id = id;
        this.transport = transport;
        this.start = start;
        this.streams = hub.streams();
        HubSettings settings = hub.settings();
        this.stats = hub.stats();
        this.nanoClock = nanoClock;
        int capacity = transport == Transport.WS ? settings.wsQueueCapacity() : settings.sseQueueCapacity();
        // its queue's part in the hub's fan-out bound (see Inbox)
        BudgetShare budget = new BudgetShare(hub.fanOutWork(), hub::streamCapacityChanged, capacity, this::isClosed);
        this.inbox = new Inbox(capacity, budget, lag, transport, settings, stats, nanoClock);
        // A WebSocket's topics change while it runs, so its id always names them (see Cursor).
        this.cursor = new Cursor(Map.of(), transport == Transport.WS);
        this.writer = new StreamWriter(sink, cursor, stats, nanoClock, this::isClosed);
        CatchUp catchUp =
                new CatchUp(store, cursor, writer, drainThread, settings.replayLimit(), hub.replayBudget(), stats);
        this.membership = new Membership(this, hub, budget, cursor, catchUp);
        this.topicChanges = new TopicChanges(this, membership, inbox, cursor, writer);
        this.loop = new DrainLoop(
                this,
                start,
                drainThread,
                membership,
                inbox,
                cursor,
                writer,
                catchUp,
                topicChanges,
                lag,
                settings,
                stats,
                nanoClock);
        this.deadlines = new StreamDeadlines(settings, nanoClock.getAsLong(), lifetime);
    }

    public long id() {
        return id;
    }

    public Transport transport() {
        return transport;
    }

    public boolean isClosed() {
        return state.get().closed();
    }

    /** The client's address as the transport saw it (for operators; set once, early). */
    public void remoteAddress(String address) {
        this.remoteAddress = address == null ? "" : address;
    }

    public String remoteAddress() {
        return remoteAddress;
    }

    /** When the stream was requested (wall clock, epoch millis). */
    public long connectedAtMillis() {
        return connectedAtMillis;
    }

    /** Queue items waiting for the drain thread now (events, heartbeats, wake-ups). */
    public int queueDepth() {
        return inbox.depth();
    }

    public int queueCapacity() {
        return inbox.capacity();
    }

    /** Events its full queue refused since it opened. */
    public long overflows() {
        return lag.overflows();
    }

    /** Times it read what it missed from the store after an overflow. */
    public long catchUps() {
        return lag.catchUps();
    }

    /**
     * When the oldest event waiting in its queue was published here (System.nanoTime), or 0 when
     * none waits or its arrival is unknown. Walks at most the queue's capacity.
     */
    public long oldestQueuedArrivalNanos() {
        return inbox.oldestArrivalNanos();
    }

    /** Whether it overflowed and has not yet read what it missed. */
    public boolean lagging() {
        return lag.lagging();
    }

    /** Why it closed, or null while open. */
    CloseReason closeReason() {
        return state.get().reason();
    }

    public List<String> topics() {
        return List.copyOf(cursor.topics());
    }

    /**
     * Joins the hub and takes the stream's position in every topic: where a reconnecting client
     * left off, else after the topic's latest event. Runs before the client can see the stream
     * open (SSE: before the headers, from {@link #run}; WebSocket: before the {@code 101}), so
     * every event published after the client saw it open reaches it. Idempotent.
     *
     * @throws IOException when the stream closed already, or the store cannot say where a
     *     topic is (then it is closed as {@link CloseReason#STORE_UNAVAILABLE})
     */
    public void position() throws IOException {
        position(StreamState.POSITIONED);
    }

    /** @param positioned POSITIONED when it waits for the transport's thread, RUNNING when on it */
    private void position(StreamState positioned) throws IOException {
        StreamState now = state.get();
        if (now.closed()) {
            throw new IOException("stream closed");
        }
        if (now != StreamState.NEW) {
            return; // positioned already: a WebSocket, during its upgrade
        }
        membership.join(start);
        deadlines.positioned(nanoClock);
        state.compareAndSet(StreamState.NEW, positioned); // fails only when it closed meanwhile
    }

    /** Serves the stream on the calling thread until it closes, then returns ({@link DrainLoop}). */
    public void run() {
        loop.run();
    }

    /** Follows one more topic from its latest seq (WebSocket subscribe); applied by the drain thread. */
    public void follow(String topic) {
        topicChanges.request(topic, true);
    }

    /** Stops following a topic (WebSocket unsubscribe); queued events of it are dropped. */
    public void unfollow(String topic) {
        topicChanges.request(topic, false);
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
        StreamState was;
        do {
            was = state.get();
            if (was.closed()) {
                return false;
            }
        } while (!state.compareAndSet(was, StreamState.closing(reason)));
        stats.closed(reason);
        if (was == StreamState.OPEN) {
            stats.subscriberGone(transport); // the open that counted it won its transition: see open()
        }
        membership.leave();
        drainThread.interrupt();
        return true;
    }

    /** Called by the hub: never blocks (see {@link Inbox}); a full queue makes it lag, or close by policy. */
    void offer(Delivery delivery) {
        if (!inbox.offer(delivery)) {
            close(CloseReason.OVERFLOW);
        }
    }

    /** A WebSocket's upgrade completed (its onOpen): the open deadline no longer applies (see {@link StreamState}). */
    public void upgradeCompleted() {
        state.compareAndSet(StreamState.POSITIONED, StreamState.RUNNING);
    }

    /** Marks the subscriber to re-read all its topics from the store, and wakes it. */
    void catchUpSoon() {
        inbox.catchUpSoon();
    }

    /** Called by the ticker: closes it on a missed deadline, else queues a due heartbeat. */
    void tick(long now) {
        StreamState current = state.get();
        if (current.closed()) {
            // a write of the closed stream, its final one (see finish()) too, is stuck on a client that stopped reading
            drainThread.interruptOverdueWrite(() -> deadlines.writeOverdue(now, writer));
            return;
        }
        CloseReason missed = deadlines.missed(now, current == StreamState.POSITIONED, writer);
        if (missed != null) {
            close(missed);
        } else if (deadlines.heartbeatDue(now)) {
            inbox.signal(Signal.HEARTBEAT); // a full queue means writes are due anyway
        }
    }

    /** Its drain loop began (drain thread): positions it unless the transport did, and it runs. */
    void started() throws IOException {
        position(StreamState.RUNNING);
        upgradeCompleted();
    }

    /**
     * The client saw it open (drain thread): it counts as live from here, unless a close won the
     * race, in which case it is never counted (see {@link StreamState}).
     */
    void opened() {
        if (state.compareAndSet(StreamState.RUNNING, StreamState.OPEN)) {
            stats.subscriberReady(transport);
        }
    }

    /**
     * The drain loop's final write (drain thread, once closed), given the close reason: meanwhile
     * the stream is among the finishing ones, whose write deadline the ticker keeps. Then FINISHED.
     */
    void finish(Consumer<CloseReason> finalWrite) {
        StreamState closing = state.get();
        streams.finishing(this);
        try {
            finalWrite.accept(closing.reason());
        } finally {
            state.compareAndSet(closing, closing.finished());
            streams.finished(this);
        }
    }

    @Override
    public String toString() {
        return transport.code() + "-" + id;
    }
}
