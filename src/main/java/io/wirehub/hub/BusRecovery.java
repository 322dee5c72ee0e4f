package io.wirehub.hub;

import io.wirehub.event.Event;
import io.wirehub.store.EventStore;
import io.wirehub.store.StoreUnavailableException;
import java.util.Collection;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What the hub does when the bus may have lost or forged messages: it backfills the active topics
 * from the store after a reconnect, and checks a topic's last seq against the store when it moved
 * on a bus message's word alone. (Not {@link Recovery}, which names why a stream read the store.)
 *
 * <p>Each runs on a virtual thread of its own, never on the bus's, a publisher's or the ticker's:
 * a store read can take seconds on a slow PostgreSQL, and the bus goes on receiving meanwhile.
 * Store reads run without the topic's lock; what they return is re-checked under it against what
 * was dispatched since. Rare: a reconnect, a resubscription, or a gap no event filled.
 */
final class BusRecovery {
    private static final System.Logger LOG = System.getLogger(BusRecovery.class.getName());

    private final EventStore store;
    private final HubSettings settings;
    private final HubStats stats;
    private final LongSupplier nanoClock;

    BusRecovery(EventStore store, HubSettings settings, HubStats stats, LongSupplier nanoClock) {
        this.store = store;
        this.settings = settings;
        this.stats = stats;
        this.nanoClock = nanoClock;
    }

    /**
     * A topic's last seq jumped past a gap that no event filled: a lost bus message (the
     * subscribers fill it from the store), or a forged one claiming a seq the store never gave,
     * which would make the hub drop every real event up to it as a duplicate. So the claim is
     * checked against the store, and taken back when the store is behind it.
     */
    void verifySoon(TopicChannel channel) {
        Thread.ofVirtual().name("hub-verify").start(() -> verify(channel));
    }

    private void verify(TopicChannel channel) {
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
                LOG.log(
                        System.Logger.Level.WARNING,
                        "topic " + channel.topic + ": the bus claimed seq " + claimed + " but the store's latest is "
                                + latest + "; ignored (check who may PUBLISH on the Redis channel)");
            }
        } finally {
            channel.lock.unlock();
        }
    }

    /**
     * The bus may have lost messages of these topics: re-reads each after the last seq dispatched.
     * Where the hub cannot fill a topic (too far behind, store down, nothing dispatched yet), each
     * of its subscribers catches up from the store by its own cursor, so even a topic that stays
     * quiet gets its missed events or a reset.
     */
    void backfillSoon(Collection<TopicChannel> channels) {
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
}
