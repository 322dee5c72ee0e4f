package io.wirehub.hub;

import io.wirehub.bus.BusListener;
import io.wirehub.bus.TopicInterest;
import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.store.EventStore;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Routes each event to the subscribers of its topic.
 *
 * <p>The hub never blocks on a subscriber: it only {@code offer}s to their bounded queues. Per
 * active topic it remembers the last seq it dispatched: an event delivered twice is dropped, and
 * an event ahead of a gap is held for up to {@link TopicChannel#GAP_WAIT} until the missing ones arrive
 * (concurrent publishers and instances cross), so subscribers get them in order without each
 * reading the store. Subscribers re-check order on their own and fill any gap that remains from
 * the store: the hub saves cost, the subscriber guarantees the order.
 *
 * <p>The path goes one way: this instance's committed events come from the {@link io.wirehub.publish.Publisher}
 * through {@link #dispatchLocal} (its {@link Dispatcher} owns the wide-fan-out rule), the other
 * instances' from the bus through {@link #onEvent}. Nothing down the path asks back up it. The
 * fan-out work those leave queued is counted in {@link #fanOutWork()}, which bounds the publishers.
 * Its streams are listed in {@link Streams}; when the bus may have lost messages, {@link BusRecovery}
 * fills the topics from the store.
 *
 * <p>Threads: dispatch runs on publishing threads, on the dispatch thread for topics with many
 * streams, or on the bus's subscriber thread; it is serialized per topic by the topic's lock. A
 * topic's entry exists while it has subscribers.
 */
public final class Hub implements BusListener, AutoCloseable {
    private final EventStore store;
    private final HubSettings settings;
    private final HubStats stats = new HubStats();
    private final LongSupplier nanoClock;
    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentHashMap<String, TopicChannel> topics = new ConcurrentHashMap<>();
    private final Streams streams = new Streams();
    private volatile TopicInterest interest = TopicInterest.NONE;
    // Store reads for WebSocket subscribes to topics nobody here follows yet, instance-wide. Few,
    // so that clients subscribing in bulk leave the store's connections to reconnect replays.
    private static final int JOIN_READS = 2;
    private final Semaphore joinReads = new Semaphore(JOIN_READS, true);
    // Queue slots of the streams that keep up, summed: half of it bounds the fan-out work (FanOutWork).
    private final AtomicInteger streamCapacity = new AtomicInteger();
    private final FanOutWork work;
    private final Dispatcher dispatcher;
    private final ReplayBudget replayBudget = new ReplayBudget();
    private final BusRecovery recovery;

    public Hub(EventStore store, HubSettings settings, LongSupplier nanoClock) {
        this.store = store;
        this.settings = settings;
        this.nanoClock = nanoClock;
        this.work = new FanOutWork(settings.maxPendingDeliveries(), streamCapacity::get);
        this.dispatcher = new Dispatcher(this, work);
        this.recovery = new BusRecovery(store, settings, stats, nanoClock);
    }

    /** What the reconnects' replays here may hold at once. */
    ReplayBudget replayBudget() {
        return replayBudget;
    }

    /** The deliveries accepted and not yet taken by the streams, and their bound. */
    public FanOutWork fanOutWork() {
        return work;
    }

    /**
     * Waits, at most until {@code deadlineNanos}, until the fan-out of these events fits under the
     * bound of {@link FanOutWork}: their topics' streams here, one delivery each.
     *
     * @return false when the deadline passed first: the publish must be refused, nothing stored
     */
    public boolean admit(List<NewEvent> events, long deadlineNanos) {
        long deliveries = 0;
        for (NewEvent event : events) {
            TopicChannel channel = topics.get(event.topic());
            if (channel != null) {
                deliveries += channel.subscribers.size();
            }
        }
        return deliveries == 0 || work.awaitRoom(deliveries, deadlineNanos);
    }

    /**
     * This instance's committed events, in seq order per topic: to the streams here, never to the
     * bus. The {@link io.wirehub.publish.Publisher} calls it after admission; benchmarks call it directly.
     */
    public void dispatchLocal(List<Event> events) {
        dispatcher.dispatch(events);
    }

    /** A stream's queue joins the fan-out budget (positive) or leaves it (negative): see Inbox. */
    void streamCapacityChanged(int slots) {
        streamCapacity.addAndGet(slots);
    }

    /** Delivers what the dispatch thread still holds, then stops it (after the last publish). */
    @Override
    public void close() {
        dispatcher.close();
    }

    /**
     * A subscriber for the given topics, ready to {@link Subscriber#run()} on its drain thread.
     *
     * @param resumeFrom cursor positions the client sent back (Last-Event-ID); topics absent
     *     from it start after their latest event
     * @param unknownCursors topics whose position the client gave with another store's epoch:
     *     they start after their latest event, with a reset ({@code unknown_cursor})
     */
    public Subscriber subscriber(
            Transport transport,
            List<String> topics,
            Map<String, Long> resumeFrom,
            Set<String> unknownCursors,
            SubscriberSink sink) {
        return subscriber(transport, topics, resumeFrom, unknownCursors, sink, null);
    }

    /**
     * The same, for a stream that may last only {@code lifetime} (its token's remaining validity):
     * the ticker closes it then ({@link CloseReason#TOKEN_EXPIRED}). Null: no end.
     */
    public Subscriber subscriber(
            Transport transport,
            List<String> topics,
            Map<String, Long> resumeFrom,
            Set<String> unknownCursors,
            SubscriberSink sink,
            Duration lifetime) {
        return new Subscriber(
                ids.incrementAndGet(),
                transport,
                new StreamStart(topics, resumeFrom, unknownCursors),
                sink,
                this,
                store,
                lifetime,
                nanoClock);
    }

    /**
     * Tells {@code interest} of every topic that gains its first subscriber here or loses its
     * last, from now on. Set once, before the bus starts and before any subscriber.
     */
    public void reportInterestTo(TopicInterest interest) {
        this.interest = interest;
    }

    public HubStats stats() {
        return stats;
    }

    public HubSettings settings() {
        return settings;
    }

    /** Live subscribers, for the ticker and for shutdown. */
    public Collection<Subscriber> subscribers() {
        return streams.live();
    }

    /** Closed subscribers still writing their last words (see {@link Subscriber#tick}). */
    Collection<Subscriber> finishing() {
        return streams.finishing();
    }

    Streams streams() {
        return streams;
    }

    Semaphore joinReads() {
        return joinReads;
    }

    /**
     * Closes every subscriber (server shutdown), and every one that joins from now on: a
     * stream admitted just before the drain began must not outlive it.
     */
    public void closeAll(CloseReason reason) {
        streams.closeAll(reason);
    }

    /** An event from another instance (the bus's thread): dispatched at once, it cannot be refused. */
    @Override
    public void onEvent(Event event) {
        TopicChannel channel = topics.get(event.topic());
        if (channel != null) {
            dispatch(channel, event, false);
        }
    }

    TopicChannel channel(String topic) {
        return topics.get(topic);
    }

    /**
     * Dispatches one event to the topic's streams in seq order (see TopicChannel).
     *
     * @param committedHere whether this instance's store committed it (not a bus message's claim)
     */
    void dispatch(TopicChannel channel, Event event, boolean committedHere) {
        boolean jumped;
        channel.lock.lock();
        try {
            stats.duplicatesDropped.add(
                    channel.dispatch(event, committedHere, nanoClock.getAsLong(), settings.replayLimit()));
            jumped = channel.takeUnverified();
        } finally {
            channel.lock.unlock();
        }
        if (jumped) {
            recovery.verifySoon(channel);
        }
    }

    /** Called by the ticker: passes on what was held for a gap that no later event filled. */
    void tick(long now) {
        for (TopicChannel channel : topics.values()) {
            if (channel.heldTooLong(now) && channel.lock.tryLock()) {
                boolean jumped;
                try {
                    channel.releaseHeld();
                    jumped = channel.takeUnverified();
                } finally {
                    channel.lock.unlock();
                }
                if (jumped) {
                    recovery.verifySoon(channel);
                }
            }
        }
    }

    /**
     * The bus may have lost messages: every active topic is backfilled from the store, on a thread
     * of its own so the bus goes on receiving meanwhile ({@link BusRecovery}).
     */
    @Override
    public void reconnected() {
        recovery.backfillSoon(topics.values()); // a live view: a topic joined meanwhile is read too
    }

    /** Like {@link #reconnected()}, for the given topics only (a bus subscription made or made again). */
    @Override
    public void resubscribed(Collection<String> names) {
        List<TopicChannel> channels =
                names.stream().map(topics::get).filter(Objects::nonNull).toList();
        if (!channels.isEmpty()) {
            recovery.backfillSoon(channels);
        }
    }

    /**
     * Adds the subscriber to the topic's channel: every event dispatched from now on is offered
     * to it. Returns the last seq the channel dispatched (every later one will be offered), or -1
     * when it has dispatched none it vouches for and the subscriber must ask the store. Called
     * through {@link Membership}, which records the topic first so that a close finds it.
     */
    long attach(Subscriber subscriber, String topic) {
        TopicChannel[] joined = new TopicChannel[1];
        topics.compute(topic, (name, channel) -> {
            if (channel == null) {
                interest.follow(name); // inside compute: follow and unfollow of a topic stay in order
            }
            joined[0] = channel == null ? new TopicChannel(name, stats) : channel;
            joined[0].subscribers.add(subscriber);
            return joined[0];
        });
        // Read under the dispatch lock: a dispatch under way finishes first and is counted in
        // lastSeq; every later one sees this subscriber.
        joined[0].lock.lock();
        try {
            return joined[0].trustedLastSeq();
        } finally {
            joined[0].lock.unlock();
        }
    }

    void detach(Subscriber subscriber, String topic) {
        topics.computeIfPresent(topic, (name, channel) -> {
            channel.subscribers.remove(subscriber);
            if (!channel.subscribers.isEmpty()) {
                return channel;
            }
            interest.unfollow(name);
            return null;
        });
    }

    /** Number of topics with at least one subscriber here. */
    public int activeTopics() {
        return topics.size();
    }

    /** Subscriptions here: each stream counts once per topic it follows. */
    public int subscriptions() {
        int count = 0;
        for (TopicChannel channel : topics.values()) {
            count += channel.subscribers.size();
        }
        return count;
    }
}
