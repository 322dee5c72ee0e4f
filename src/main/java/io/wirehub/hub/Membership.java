package io.wirehub.hub;

import io.wirehub.event.Cursor;
import io.wirehub.store.StoreUnavailableException;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * A stream's entries in the hub, and its position in each topic it follows: its place among the
 * live streams ({@link Streams}), its place in each topic's channel, and its queue's share of the
 * fan-out budget ({@link BudgetShare}).
 *
 * <p>Joined in the order that loses no event: the channel first, then the position, so every
 * event dispatched after the position was taken is offered to the stream. A topic is recorded
 * here before its channel is joined, so a close on any thread, at any moment, finds every entry
 * and leaves it, whatever failed half-way.
 */
final class Membership {
    private final Subscriber subscriber;
    private final Hub hub;
    private final Streams streams;
    private final BudgetShare budget;
    private final Cursor cursor;
    private final CatchUp catchUp;
    // The topics attached in the hub: a superset of the cursor's while a join is under way.
    private final Set<String> topics = ConcurrentHashMap.newKeySet();

    Membership(Subscriber subscriber, Hub hub, BudgetShare budget, Cursor cursor, CatchUp catchUp) {
        this.subscriber = subscriber;
        this.hub = hub;
        this.streams = hub.streams();
        this.budget = budget;
        this.cursor = cursor;
        this.catchUp = catchUp;
    }

    /**
     * Joins the hub, and takes the position in every topic the stream starts with: where a
     * reconnecting client left off, else after the topic's latest event.
     *
     * @throws IOException when the store cannot say where a topic is (then the stream is closed
     *     as {@link CloseReason#STORE_UNAVAILABLE}), or the stream closed meanwhile
     */
    void join(StreamStart start) throws IOException {
        streams.add(subscriber);
        if (subscriber.isClosed()) {
            leave(); // its close ran before the add, and missed it
        }
        budget.join();
        try {
            for (String topic : start.topics()) {
                Long resumed = start.resumeFrom().get(topic);
                long known = attach(topic);
                cursor.add(topic, resumed != null ? resumed : known >= 0 ? known : catchUp.latestSeq(topic));
            }
        } catch (StoreUnavailableException e) {
            subscriber.close(CloseReason.STORE_UNAVAILABLE); // the client retries; nothing was promised yet
            throw new IOException("the event store cannot say where the stream starts", e);
        } catch (RuntimeException e) {
            subscriber.close(CloseReason.ERROR); // whatever failed, nothing of it stays in the hub
            throw e;
        }
    }

    /**
     * Follows one more topic from its latest seq (a WebSocket subscribe, on the drain thread),
     * fully or not at all: if the position cannot be had, the topic is left again.
     */
    void follow(String topic) throws IOException, InterruptedException {
        if (cursor.follows(topic)) {
            return;
        }
        boolean joined = false;
        try {
            long known = attach(topic);
            cursor.add(topic, known >= 0 ? known : latestSeqOfNewTopic(topic));
            joined = true;
        } finally {
            if (!joined) {
                detach(topic);
            }
        }
    }

    /** Stops following a topic (a WebSocket unsubscribe, on the drain thread). */
    void unfollow(String topic) {
        cursor.remove(topic);
        detach(topic);
    }

    /** Leaves everything: on close, and again at the drain loop's end (a topic joined while close() ran). */
    void leave() {
        topics.forEach(this::detach);
        streams.remove(subscriber);
        budget.leave();
    }

    /**
     * Joins the topic's channel. Returns the last seq the channel dispatched (every later one will
     * be offered), or -1 when the stream must ask the store: the channel has dispatched none it
     * can vouch for, or the stream closed meanwhile.
     */
    private long attach(String topic) {
        topics.add(topic); // first: a concurrent close() must find it
        long known = hub.attach(subscriber, topic);
        if (subscriber.isClosed()) {
            detach(topic); // close() ran meanwhile and may have missed this topic
            return -1;
        }
        return known;
    }

    private void detach(String topic) {
        hub.detach(subscriber, topic);
        topics.remove(topic);
    }

    /**
     * A store read under the hub's small join permit, so clients subscribing to many topics
     * nobody here follows cannot take the store connections other streams' replays need.
     */
    private long latestSeqOfNewTopic(String topic) throws IOException, InterruptedException {
        Semaphore joinReads = hub.joinReads();
        joinReads.acquire();
        try {
            return catchUp.latestSeq(topic);
        } finally {
            joinReads.release();
        }
    }
}
