package io.wirehub.hub;

import io.wirehub.event.Cursor;
import io.wirehub.event.Event;
import io.wirehub.event.Reset;
import io.wirehub.event.ResetReason;
import io.wirehub.hub.QueueItem.Delivery;
import io.wirehub.hub.QueueItem.Signal;
import io.wirehub.store.EventStore;
import io.wirehub.store.StoreUnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * One stream (an SSE response or a WebSocket session): its bounded queue, its cursor, the drain
 * loop that writes to the client, and its one close path.
 *
 * <p>Invariant: the client receives each event of its topics once, in seq order, or a
 * {@link Reset}. The drain loop enforces it on its own, whatever the hub or the bus do: an event
 * at or below the cursor is dropped as a duplicate, and an event above cursor + 1 is preceded by
 * the missing range read from the store, or a reset when the store no longer has it
 * ({@link CatchUp}).
 *
 * <p>Threads: {@link #run()} is the drain thread (the SSE handler's own virtual thread, or one
 * started for the WebSocket). The hub calls {@link #offer} from publishing or bus threads and
 * never blocks; the ticker calls {@link #tick}; {@link #close} is safe from any thread, any
 * number of times. Cost: the queue's slots (references to shared events) and the cursor.
 */
public final class Subscriber {
    private static final System.Logger LOG = System.getLogger(Subscriber.class.getName());
    // A WebSocket is positioned during its upgrade and starts draining in onOpen, right after the
    // 101 is written; one whose upgrade failed in between is closed after this (it holds a queue).
    private static final long OPEN_DEADLINE = java.time.Duration.ofSeconds(2).toNanos();

    private final long id;
    private final Transport transport;
    private final StreamStart start;
    private final Hub hub;
    private final HubSettings settings;
    private final HubStats stats;
    private final LongSupplier nanoClock;
    private final ArrayBlockingQueue<QueueItem> queue;
    // The drain loop's batch, reused (drain thread only): it grows to the largest batch taken at
    // once, at most the queue's capacity, so no list is allocated per wake-up.
    private final ArrayList<QueueItem> batch = new ArrayList<>(4);
    private final Cursor cursor;
    private final StreamWriter writer;
    private final DrainThread drainThread = new DrainThread(this::isClosed);
    private final CatchUp catchUp;
    private final TopicChanges topicChanges;
    private final AtomicReference<CloseReason> closeReason = new AtomicReference<>(); // null while open
    private final AtomicBoolean lagging = new AtomicBoolean();
    private final AtomicBoolean countedLive = new AtomicBoolean();
    // The topics this subscriber is attached to in the hub: a superset of the cursor's while a
    // join is under way, so cleanup finds every hub entry whatever failed half-way.
    private final Set<String> joined = ConcurrentHashMap.newKeySet();

    // What an operator sees of it (GET /v1/admin/subscribers); no logic depends on these.
    private final long connectedAtMillis = System.currentTimeMillis();
    private final AtomicLong overflows = new AtomicLong();
    private final AtomicLong catchUps = new AtomicLong();
    private volatile String remoteAddress = "";

    private volatile long nextHeartbeatNanos;
    private volatile long expiresAtNanos; // meaningful when expires
    private volatile boolean expires;
    private volatile long registeredAtNanos; // 0 until positioned (the open deadline runs from then)
    private volatile boolean positioned;
    private volatile boolean opened; // the transport opened the stream (see upgradeCompleted) or the drain loop started
    // When its queue first overflowed since it was last caught up (System.nanoTime), 0 when it is
    // not behind: past server.max_lag it gets a lag_limit reset (see drainOnce).
    private volatile long behindSinceNanos;
    private final BudgetShare budget; // its queue's part in the hub's fan-out bound (see offer)

    Subscriber(long id, Transport transport, StreamStart start, SubscriberSink sink, Hub hub, EventStore store,
            HubSettings settings, HubStats stats, LongSupplier nanoClock) {
        this.id = id;
        this.transport = transport;
        this.start = start;
        this.hub = hub;
        this.settings = settings;
        this.stats = stats;
        this.nanoClock = nanoClock;
        this.queue = new ArrayBlockingQueue<>(transport == Transport.WS ? settings.wsQueueCapacity() : settings.sseQueueCapacity());
        this.budget = new BudgetShare(hub.fanOutWork(), hub::streamCapacityChanged, queue.remainingCapacity(), this::isClosed);
        // A WebSocket's topics change while it runs, so its id always names them (see Cursor).
        this.cursor = new Cursor(Map.of(), transport == Transport.WS);
        this.writer = new StreamWriter(sink, cursor, stats, nanoClock, this::isClosed);
        this.catchUp = new CatchUp(store, cursor, writer, drainThread, settings.replayLimit(), hub.replayBudget(), stats);
        this.topicChanges = new TopicChanges(hub, cursor, catchUp, writer);
        this.nextHeartbeatNanos = nanoClock.getAsLong() + settings.heartbeatInterval().toNanos();
    }

    public long id() {
        return id;
    }

    public Transport transport() {
        return transport;
    }

    public boolean isClosed() {
        return closeReason.get() != null;
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
        return queue.size();
    }

    public int queueCapacity() {
        return queue.size() + queue.remainingCapacity();
    }

    /** Events its full queue refused since it opened. */
    public long overflows() {
        return overflows.get();
    }

    /** Times it read what it missed from the store after an overflow. */
    public long catchUps() {
        return catchUps.get();
    }

    /**
     * When the oldest event waiting in its queue was published here (System.nanoTime), or 0 when
     * none waits or its arrival is unknown. Walks at most the queue's capacity.
     */
    public long oldestQueuedArrivalNanos() {
        for (QueueItem item : queue) {
            if (item instanceof Delivery delivery && delivery.event().arrivedNanos() != 0) {
                return delivery.event().arrivedNanos();
            }
        }
        return 0;
    }

    /** Whether it overflowed and has not yet read what it missed. */
    public boolean lagging() {
        return lagging.get();
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
        if (positioned) {
            return;
        }
        hub.register(this);
        budget.join();
        try {
            for (String topic : start.topics()) {
                Long resumed = start.resumeFrom().get(topic);
                long known = hub.attach(this, topic);
                cursor.add(topic, resumed != null ? resumed : known >= 0 ? known : catchUp.latestSeq(topic));
            }
        } catch (StoreUnavailableException e) {
            close(CloseReason.STORE_UNAVAILABLE); // the client retries; nothing was promised yet
            throw new IOException("the event store cannot say where the stream starts", e);
        } catch (RuntimeException e) {
            close(CloseReason.ERROR); // whatever failed, nothing of it stays in the hub
            throw e;
        }
        positioned = true;
        // From here the ticker's open deadline runs: it covers the gap between the 101 and onOpen,
        // not the positioning, which may wait for a pooled connection (a reconnect storm made
        // WebSockets still in their upgrade miss it, and come back, in a loop).
        long now = nanoClock.getAsLong();
        registeredAtNanos = now == 0 ? 1 : now;
    }

    /**
     * Serves the stream until it closes: takes its position (unless the transport did already),
     * opens the stream, replays what the client missed, then drains the queue. Runs on the calling
     * thread and returns once the session is over.
     */
    public void run() {
        drainThread.bind();
        opened = true;
        stats.drainLoops.incrementAndGet();
        try {
            position();
            open();
            while (!isClosed()) {
                drainOnce();
            }
        } catch (IOException | UncheckedIOException e) {
            close(CloseReason.CLIENT_GONE); // the normal end of a stream whose client left
        } catch (StoreUnavailableException e) {
            close(CloseReason.STORE_UNAVAILABLE); // the client reconnects and resumes from its cursor
        } catch (RuntimeException e) {
            if (close(CloseReason.ERROR)) {
                LOG.log(System.Logger.Level.ERROR, "subscriber " + this + " failed", e);
            }
        } catch (InterruptedException e) {
            close(CloseReason.SHUTDOWN);
        } finally {
            close(CloseReason.ERROR); // no-op when already closed, which is the normal case
            leaveHub(); // again: a topic joined while close() ran is left now
            finish();
            stats.drainLoops.decrementAndGet();
        }
    }

    /** Follows one more topic from its latest seq (WebSocket subscribe); applied by the drain thread. */
    public void follow(String topic) {
        changeTopics(topic, true);
    }

    /** Stops following a topic (WebSocket unsubscribe); queued events of it are dropped. */
    public void unfollow(String topic) {
        changeTopics(topic, false);
    }

    private void changeTopics(String topic, boolean follow) {
        if (isClosed()) {
            return;
        }
        if (!topicChanges.add(topic, follow)) {
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
        leaveHub();
        budget.leave();
        drainThread.interrupt();
        return true;
    }

    /**
     * Called by the hub: never blocks. A full queue makes the subscriber lag (or close, by policy).
     * While it keeps up, what it queues counts as pending fan-out work ({@link FanOutWork}); once
     * it overflowed, it is a slow stream, not a sign of overload, and leaves that count until it
     * has caught up ({@link BudgetShare}).
     */
    void offer(Delivery delivery) {
        boolean counted = budget.countOffer();
        boolean queued = queue.offer(delivery);
        budget.offered(counted, queued);
        if (queued) {
            return;
        }
        stats.overflowed(transport);
        overflows.incrementAndGet();
        if (settings.overflowPolicy() == OverflowPolicy.DISCONNECT) {
            close(CloseReason.OVERFLOW);
        } else {
            if (behindSinceNanos == 0) {
                long now = nanoClock.getAsLong();
                behindSinceNanos = now == 0 ? 1 : now;
            }
            budget.leave();
            catchUpSoon(); // the signal matters if the queue emptied since the failed offer
        }
    }

    /**
     * A WebSocket's upgrade completed (its onOpen): the open deadline no longer applies, however
     * long its drain thread then waits for a carrier. On a saturated machine that wait passed the
     * 2 s deadline when a thousand WebSockets opened at once, and the ticker closed live streams.
     */
    public void upgradeCompleted() {
        opened = true;
    }

    /** Marks the subscriber to re-read all its topics from the store, and wakes it. */
    void catchUpSoon() {
        lagging.set(true);
        queue.offer(Signal.CATCH_UP);
    }

    /** The stream ends (TOKEN_EXPIRED) this long from now; set once, before it runs. */
    void expireAfter(Duration lifetime) {
        expiresAtNanos = nanoClock.getAsLong() + lifetime.toNanos();
        expires = true;
    }

    /** Called by the ticker: heartbeat due, write deadline (the last write's too), pong deadline. */
    void tick(long now) {
        long writeTimeout = settings.writeTimeout().toNanos();
        if (isClosed()) {
            // a write of the closed stream, its final one (see finish()) too, is stuck on a client that stopped reading
            drainThread.interruptOverdueWrite(() -> writer.writeOverdue(now, writeTimeout));
        } else if (!opened && registeredAtNanos != 0 && now - registeredAtNanos > Math.min(writeTimeout, OPEN_DEADLINE)) {
            close(CloseReason.CLIENT_GONE); // positioned for a WebSocket whose upgrade never completed
        } else if (expires && now - expiresAtNanos >= 0) {
            close(CloseReason.TOKEN_EXPIRED);
        } else if (writer.writeOverdue(now, writeTimeout)) {
            close(CloseReason.WRITE_TIMEOUT);
        } else if (writer.pongOverdue(now, settings.pongTimeout().toNanos())) {
            close(CloseReason.PONG_TIMEOUT);
        } else if (now - nextHeartbeatNanos >= 0) {
            nextHeartbeatNanos = now + settings.heartbeatInterval().toNanos();
            queue.offer(Signal.HEARTBEAT); // a full queue means writes are due anyway
        }
    }

    /**
     * Opens the positioned stream (SSE headers, the WebSocket's ready message): from here the
     * client sees it open and it counts as live; then the replay of a reconnecting client.
     */
    private void open() throws IOException {
        writer.open();
        countLive();
        if (start.resumes()) {
            catchUp.replay(start);
        }
        writer.flush();
    }

    private void drainOnce() throws IOException, InterruptedException {
        batch.add(queue.take());
        topicChanges.apply(this);
        queue.drainTo(batch);
        stats.queueDepth.observe(batch.size());
        int deliveries = 0;
        for (QueueItem item : batch) {
            if (item instanceof Delivery) {
                deliveries++;
            }
        }
        budget.taken(deliveries); // no longer work the publishers wait on
        try {
            for (int i = 0; i < batch.size(); i++) {
                switch (batch.get(i)) {
                    case Delivery delivery -> deliver(delivery.event());
                    case Signal.HEARTBEAT -> writer.heartbeat();
                    case Signal.CATCH_UP, Signal.TOPICS_CHANGED -> {
                        // flags: handled around the batch
                    }
                }
            }
        } finally {
            batch.clear(); // an idle stream holds no event (a failed write ends the stream, list and all)
        }
        if (lagging.getAndSet(false)) {
            stats.catchUps.increment();
            catchUps.incrementAndGet();
            if (behindTooLong()) {
                // Sustained overload, or a client slower than the events: catching up would only
                // grow its delay. Tell it plainly, and go on live from the present.
                for (String topic : cursor.topics()) {
                    catchUp.skipToPresent(topic, ResetReason.LAG_LIMIT);
                }
            } else {
                for (String topic : cursor.topics()) {
                    catchUp.catchUp(topic);
                }
            }
            if (!lagging.get()) {
                behindSinceNanos = 0; // caught up with no overflow meanwhile: no longer behind
                budget.join();
            }
        }
        writer.flush();
        if (topicChanges.pending()) {
            queue.offer(Signal.TOPICS_CHANGED); // its signal found the queue full: drainTo emptied it since
        }
    }

    private void deliver(Event event) throws IOException {
        long position = cursor.position(event.topic());
        if (position < 0 || event.seq() <= position) {
            return; // not followed (any more), or already delivered
        }
        if (event.seq() > position + 1) {
            if (!catchUp.fillBefore(event.topic(), event.seq())) {
                stats.unstoredDropped.increment();
                return; // not in the store: see CatchUp.fillBefore
            }
            if (event.seq() <= cursor.position(event.topic())) {
                return; // a reset moved the cursor past it
            }
        }
        writer.liveEvent(event);
    }

    /**
     * Ends the connection, saying why where the protocol can. The final write has a deadline like
     * every other: the ticker watches it ({@link #tick}) and interrupts it past write_timeout, so
     * a client that stopped reading cannot keep this thread and its socket.
     */
    private void finish() {
        drainThread.finishing(); // a close's interrupt, early or late, must not fail this write (see DrainThread)
        long retry = settings.reconnectRetry().toMillis();
        hub.finishing(this, true);
        try {
            writer.finish(closeReason(), retry + ThreadLocalRandom.current().nextLong(retry * 4 + 1));
        } finally {
            hub.finishing(this, false);
            drainThread.unbind();
        }
    }

    /** Whether it has been behind the live events longer than server.max_lag. */
    private boolean behindTooLong() {
        long since = behindSinceNanos;
        return since != 0 && nanoClock.getAsLong() - since > settings.maxLag().toNanos();
    }

    private void leaveHub() {
        hub.unregister(this, closeReason());
        if (countedLive.compareAndSet(true, false)) {
            stats.subscriberGone(transport);
        }
    }

    /** Counts it in the live gauge, once, and not at all when a close raced the opening. */
    private void countLive() {
        if (countedLive.compareAndSet(false, true)) {
            stats.subscriberReady(transport);
            if (isClosed() && countedLive.compareAndSet(true, false)) {
                stats.subscriberGone(transport);
            }
        }
    }

    @Override
    public String toString() {
        return transport.code() + "-" + id;
    }
}
