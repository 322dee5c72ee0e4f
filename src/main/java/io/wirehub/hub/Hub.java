package io.wirehub.hub;

import io.wirehub.bus.BusListener;
import io.wirehub.bus.TopicInterest;
import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.store.EventStore;
import io.wirehub.store.StoreUnavailableException;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
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
 *
 * <p>Threads: dispatch runs on publishing threads, on the dispatch thread for topics with many
 * streams, or on the bus's subscriber thread; it is serialized per topic by the topic's lock. A
 * topic's entry exists while it has subscribers.
 */
public final class Hub implements BusListener, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Hub.class.getName());

    private final EventStore store;
    private final HubSettings settings;
    private final HubStats stats = new HubStats();
    private final LongSupplier nanoClock;
    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentHashMap<String, TopicChannel> topics = new ConcurrentHashMap<>();
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private volatile CloseReason closingAll; // set once by closeAll
    private volatile TopicInterest interest = TopicInterest.NONE;
    // Closed subscribers whose final write is under way: the ticker keeps its deadline.
    private final Set<Subscriber> finishing = ConcurrentHashMap.newKeySet();
    // Store reads for WebSocket subscribes to topics nobody here follows yet, instance-wide. Few,
    // so that clients subscribing in bulk leave the store's connections to reconnect replays.
    private static final int JOIN_READS = 2;
    private final Semaphore joinReads = new Semaphore(JOIN_READS, true);
    // Queue slots of the streams that keep up, summed: half of it bounds the fan-out work (FanOutWork).
    private final AtomicInteger streamCapacity = new AtomicInteger();
    private final FanOutWork work;
    private final Dispatcher dispatcher;
    private final ReplayBudget replayBudget = new ReplayBudget();

    public Hub(EventStore store, HubSettings settings, LongSupplier nanoClock) {
        this.store = store;
        this.settings = settings;
        this.nanoClock = nanoClock;
        this.work = new FanOutWork(settings.maxPendingDeliveries(), streamCapacity::get);
        this.dispatcher = new Dispatcher(this, work);
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

    /** A stream's queue joins the fan-out budget (positive) or leaves it (negative): see Subscriber#offer. */
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
    public Subscriber subscriber(Transport transport, List<String> topics, Map<String, Long> resumeFrom,
            Set<String> unknownCursors, SubscriberSink sink) {
        return subscriber(transport, topics, resumeFrom, unknownCursors, sink, null);
    }

    /**
     * The same, for a stream that may last only {@code lifetime} (its token's remaining validity):
     * the ticker closes it then ({@link CloseReason#TOKEN_EXPIRED}). Null: no end.
     */
    public Subscriber subscriber(Transport transport, List<String> topics, Map<String, Long> resumeFrom,
            Set<String> unknownCursors, SubscriberSink sink, Duration lifetime) {
        Subscriber subscriber = new Subscriber(ids.incrementAndGet(), transport, new StreamStart(topics, resumeFrom, unknownCursors),
                sink, this, store, settings, stats, nanoClock);
        if (lifetime != null) {
            subscriber.expireAfter(lifetime);
        }
        return subscriber;
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
        return Collections.unmodifiableSet(subscribers);
    }

    /** Closed subscribers still writing their last words (see {@link Subscriber#tick}). */
    Collection<Subscriber> finishing() {
        return Collections.unmodifiableSet(finishing);
    }

    void finishing(Subscriber subscriber, boolean underWay) {
        if (underWay) {
            finishing.add(subscriber);
        } else {
            finishing.remove(subscriber);
        }
    }

    Semaphore joinReads() {
        return joinReads;
    }

    /**
     * Closes every subscriber (server shutdown), and every one that registers from now on: a
     * stream admitted just before the drain began must not outlive it.
     */
    public void closeAll(CloseReason reason) {
        closingAll = reason;
        subscribers.forEach(subscriber -> subscriber.close(reason));
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
            stats.duplicatesDropped.add(channel.dispatch(event, committedHere, nanoClock.getAsLong(), settings.replayLimit()));
            jumped = channel.takeUnverified();
        } finally {
            channel.lock.unlock();
        }
        if (jumped) {
            verifySoon(channel);
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
                    verifySoon(channel);
                }
            }
        }
    }

    /**
     * A topic's last seq jumped past a gap that no event filled: a lost bus message (the
     * subscribers fill it from the store), or a forged one claiming a seq the store never gave,
     * which would make the hub drop every real event up to it as a duplicate. So the claim is
     * checked against the store, on a thread of its own (never the ticker's or a publisher's),
     * and taken back when the store is behind it. Rare: only when a gap did not fill.
     */
    private void verifySoon(TopicChannel channel) {
        Thread.ofVirtual().name("hub-verify").start(() -> {
            long claimed;
            channel.lock.lock();
            try {
                claimed = channel.lastSeq;
            } finally {
                channel.lock.unlock();
            }
            long latest;
            try {
                latest = store.latestSeq(channel.topic);
            } catch (RuntimeException e) {
                latest = -1; // store down: the subscribers' own checks still hold; new streams ask the store
            }
            channel.lock.lock();
            try {
                if (latest < 0) {
                    return; // nothing learnt: lastSeq stays unvouched for, and new streams ask the store
                }
                channel.verified();
                if (channel.lastSeq == claimed && claimed > latest) {
                    channel.lastSeq = latest;
                    stats.unstoredDropped.increment();
                    LOG.log(System.Logger.Level.WARNING, "topic " + channel.topic + ": the bus claimed seq " + claimed
                            + " but the store's latest is " + latest + "; ignored (check who may PUBLISH on the Redis channel)");
                }
            } finally {
                channel.lock.unlock();
            }
        });
    }

    /**
     * The bus may have lost messages: re-read every active topic after the last seq dispatched,
     * on a thread of its own so the bus goes on receiving meanwhile. Where the hub cannot fill a
     * topic (too far behind, store down, nothing dispatched yet), each of its subscribers
     * catches up from the store by its own cursor, so even a topic that stays quiet gets its
     * missed events or a reset.
     *
     * <p>The store read runs without the topic's lock (it can take seconds on a slow
     * PostgreSQL): the bus thread and local publishers of the topic go on dispatching meanwhile,
     * and the read's events are then re-checked against what was dispatched.
     */
    @Override
    public void reconnected() {
        backfillSoon(topics.values()); // a live view: a topic joined meanwhile is read too
    }

    /** Like {@link #reconnected()}, for the given topics only (a bus subscription made or made again). */
    @Override
    public void resubscribed(Collection<String> names) {
        List<TopicChannel> channels = names.stream().map(topics::get).filter(Objects::nonNull).toList();
        if (!channels.isEmpty()) {
            backfillSoon(channels);
        }
    }

    private void backfillSoon(Collection<TopicChannel> channels) {
        stats.backfills.increment();
        Thread.ofVirtual().name("hub-backfill").start(() -> {
            for (TopicChannel channel : channels) {
                long after;
                channel.lock.lock();
                try {
                    channel.releaseHeld();
                    after = channel.lastSeq;
                } finally {
                    channel.lock.unlock();
                }
                if (after < 0 || !backfill(channel, after)) {
                    channel.subscribers.forEach(Subscriber::catchUpSoon);
                }
            }
        });
    }

    /**
     * Reads the stored events after {@code after} (the channel's last seq when it started), then,
     * under the lock, dispatches those still ahead of the channel's last seq, each one only if it
     * is the next. Returns false when it could not fill the range: more than replay_limit
     * events, the store down, the range no longer stored, or a hole in what was read.
     */
    private boolean backfill(TopicChannel channel, long after) {
        int limit = settings.replayLimit();
        List<Event> missing;
        try {
            missing = store.readAfter(channel.topic, after, limit + 1);
        } catch (StoreUnavailableException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot backfill topic " + channel.topic + ": " + e.getMessage());
            return false;
        }
        if (missing.size() > limit) {
            return false;
        }
        channel.lock.lock();
        try {
            boolean delivered = false;
            for (Event event : missing) {
                if (event.seq() <= channel.lastSeq) {
                    continue; // dispatched while we read: by the bus, a publisher or the ticker
                }
                if (event.seq() != channel.lastSeq + 1) {
                    return false; // a hole: retention, or another writer's clock
                }
                channel.deliver(event);
                stats.backfilled.increment();
                delivered = true;
            }
            if (delivered) {
                stats.duplicatesDropped.add(channel.deliverHeldInOrder(nanoClock.getAsLong())); // held during the read
            }
            return true;
        } finally {
            channel.lock.unlock();
        }
    }

    void register(Subscriber subscriber) {
        subscribers.add(subscriber);
        CloseReason closing = closingAll; // read after the add: closeAll either sees this one or we see it
        if (closing != null) {
            subscriber.close(closing);
        }
        if (subscriber.isClosed()) {
            unregister(subscriber, subscriber.closeReason()); // close() ran before we were done: undo the rest
        }
    }

    void unregister(Subscriber subscriber, CloseReason reason) {
        subscriber.joinedTopics().forEach(topic -> detach(subscriber, topic));
        if (subscribers.remove(subscriber)) {
            stats.closed(reason);
        }
    }

    /**
     * Adds the subscriber to the topic's channel: every event dispatched from now on is offered
     * to it. Returns the last seq the channel dispatched (every later one will be offered), or -1
     * when it has dispatched none yet and the subscriber must ask the store.
     */
    long attach(Subscriber subscriber, String topic) {
        subscriber.joinedTopics().add(topic); // first: a concurrent close() must find it
        TopicChannel[] joined = new TopicChannel[1];
        topics.compute(topic, (name, channel) -> {
            if (channel == null) {
                interest.follow(name); // inside compute: follow and unfollow of a topic stay in order
            }
            joined[0] = channel == null ? new TopicChannel(name, stats) : channel;
            joined[0].subscribers.add(subscriber);
            return joined[0];
        });
        if (subscriber.isClosed()) {
            detach(subscriber, topic); // close() ran meanwhile and may have missed this topic
            return -1;
        }
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
        subscriber.joinedTopics().remove(topic);
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
