package io.wirehub.hub;

import io.wirehub.event.Cursor;
import io.wirehub.hub.QueueItem.Signal;
import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * A WebSocket stream's pending subscribes and unsubscribes. The client's reader thread adds
 * them; the drain thread applies them in the order received, between two batches of events, and
 * acknowledges each with the seq it starts (or stopped) after.
 *
 * <p>Bounded: each may cost a store read, so a client that sends them faster than its stream
 * applies them is closed past {@link #MAX_PENDING} ({@link CloseReason#SUBSCRIPTION_FLOOD})
 * instead of growing the heap.
 */
final class TopicChanges {
    static final int MAX_PENDING = 256;

    private record Change(String topic, boolean follow) {}

    private final ArrayBlockingQueue<Change> pending = new ArrayBlockingQueue<>(MAX_PENDING);
    private final Subscriber subscriber;
    private final Membership membership;
    private final Inbox inbox;
    private final Cursor cursor;
    private final StreamWriter writer;

    TopicChanges(Subscriber subscriber, Membership membership, Inbox inbox, Cursor cursor, StreamWriter writer) {
        this.subscriber = subscriber;
        this.membership = membership;
        this.inbox = inbox;
        this.cursor = cursor;
        this.writer = writer;
    }

    /** Any thread: queues the change and wakes the drain thread; past {@link #MAX_PENDING}, closes the stream. */
    void request(String topic, boolean follow) {
        if (subscriber.isClosed()) {
            return;
        }
        if (!pending.offer(new Change(topic, follow))) {
            subscriber.close(CloseReason.SUBSCRIPTION_FLOOD);
            return;
        }
        inbox.signal(Signal.TOPICS_CHANGED); // a full queue wakes the drain thread anyway
    }

    boolean pending() {
        return !pending.isEmpty();
    }

    /** Drain thread: applies and acknowledges everything pending. */
    void apply() throws IOException, InterruptedException {
        Change change;
        while ((change = pending.poll()) != null) {
            String topic = change.topic();
            if (change.follow()) {
                membership.follow(topic);
                writer.topicChanged(topic, true, cursor.position(topic));
            } else if (cursor.follows(topic)) {
                long last = cursor.position(topic);
                membership.unfollow(topic);
                writer.topicChanged(topic, false, last);
            }
        }
    }
}
