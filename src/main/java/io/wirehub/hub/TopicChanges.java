package io.wirehub.hub;

import io.wirehub.event.Cursor;
import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * A WebSocket stream's pending subscribes and unsubscribes. The client's reader thread adds
 * them; the drain thread applies them in the order received, between two batches of events, and
 * acknowledges each with the seq it starts (or stopped) after.
 *
 * <p>Bounded: each may cost a store read, so a client that sends them faster than its stream
 * applies them is refused past {@link #MAX_PENDING} (and closed by the subscriber) instead of
 * growing the heap.
 */
final class TopicChanges {
    static final int MAX_PENDING = 256;

    private record Change(String topic, boolean follow) {}

    private final ArrayBlockingQueue<Change> pending = new ArrayBlockingQueue<>(MAX_PENDING);
    private final Hub hub;
    private final Cursor cursor;
    private final CatchUp catchUp;
    private final StreamWriter writer;

    TopicChanges(Hub hub, Cursor cursor, CatchUp catchUp, StreamWriter writer) {
        this.hub = hub;
        this.cursor = cursor;
        this.catchUp = catchUp;
        this.writer = writer;
    }

    /** Any thread. False when {@link #MAX_PENDING} are pending already. */
    boolean add(String topic, boolean follow) {
        return pending.offer(new Change(topic, follow));
    }

    boolean pending() {
        return !pending.isEmpty();
    }

    /** Drain thread: applies and acknowledges everything pending. */
    void apply(Subscriber subscriber) throws IOException, InterruptedException {
        Change change;
        while ((change = pending.poll()) != null) {
            String topic = change.topic();
            if (change.follow()) {
                if (!cursor.follows(topic)) {
                    join(subscriber, topic);
                }
                writer.topicChanged(topic, true, cursor.position(topic));
            } else if (cursor.follows(topic)) {
                long last = cursor.position(topic);
                cursor.remove(topic);
                hub.detach(subscriber, topic);
                writer.topicChanged(topic, false, last);
            }
        }
    }

    /**
     * Joins the way {@link Subscriber#position()} does: hub first, then the position, so no event
     * falls between. Fully or not at all: if the position cannot be had, the topic is left again.
     */
    private void join(Subscriber subscriber, String topic) throws IOException, InterruptedException {
        boolean joined = false;
        try {
            long known = hub.attach(subscriber, topic);
            cursor.add(topic, known >= 0 ? known : latestSeqOfNewTopic(topic));
            joined = true;
        } finally {
            if (!joined) {
                hub.detach(subscriber, topic);
            }
        }
    }

    /**
     * A store read under the hub's small join permit, so clients subscribing to many topics
     * nobody here follows cannot take the store connections other streams' replays need.
     */
    private long latestSeqOfNewTopic(String topic) throws IOException, InterruptedException {
        hub.joinReads().acquire();
        try {
            return catchUp.latestSeq(topic);
        } finally {
            hub.joinReads().release();
        }
    }
}
