package io.wirehub.hub;

import io.wirehub.event.Cursor;
import io.wirehub.event.Event;
import io.wirehub.event.ResetReason;
import io.wirehub.hub.QueueItem.Delivery;
import io.wirehub.hub.QueueItem.Signal;
import io.wirehub.store.StoreUnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * A stream's drain thread, from the moment the transport hands it over until the connection
 * ends: it opens the stream and replays what a reconnecting client missed, then round after
 * round waits for its queue, applies the WebSocket's topic changes, takes everything queued in one
 * batch, writes each event that comes next in its topic (filling a seq jump from the store first,
 * dropping a duplicate), catches up from the store when the stream fell behind, and flushes once.
 * Whatever ends it, the stream is closed with the matching reason and its final frame written.
 *
 * <p>It drives the stream's state through {@link Subscriber}, which owns it. Per delivery it
 * allocates nothing: the batch list is reused and grows to the largest batch taken at once, at
 * most the queue's capacity.
 */
final class DrainLoop {
    private static final System.Logger LOG = System.getLogger(DrainLoop.class.getName());

    private final Subscriber subscriber;
    private final StreamStart start;
    private final DrainThread drainThread;
    private final Membership membership;
    private final Inbox inbox;
    private final ArrayList<QueueItem> batch = new ArrayList<>(4);
    private final Cursor cursor;
    private final StreamWriter writer;
    private final CatchUp catchUp;
    private final TopicChanges topicChanges;
    private final Lag lag;
    private final HubSettings settings;
    private final HubStats stats;
    private final LongSupplier nanoClock;

    DrainLoop(
            Subscriber subscriber,
            StreamStart start,
            DrainThread drainThread,
            Membership membership,
            Inbox inbox,
            Cursor cursor,
            StreamWriter writer,
            CatchUp catchUp,
            TopicChanges topicChanges,
            Lag lag,
            HubSettings settings,
            HubStats stats,
            LongSupplier nanoClock) {
        this.subscriber = subscriber;
        this.start = start;
        this.drainThread = drainThread;
        this.membership = membership;
        this.inbox = inbox;
        this.cursor = cursor;
        this.writer = writer;
        this.catchUp = catchUp;
        this.topicChanges = topicChanges;
        this.lag = lag;
        this.settings = settings;
        this.stats = stats;
        this.nanoClock = nanoClock;
    }

    /** Serves the stream on the calling thread until it closes (see {@link Subscriber#run}). */
    void run() {
        drainThread.bind();
        stats.drainLoops.incrementAndGet();
        try {
            subscriber.started();
            open();
            while (!subscriber.isClosed()) {
                drainOnce();
            }
        } catch (IOException | UncheckedIOException e) {
            subscriber.close(CloseReason.CLIENT_GONE); // the normal end of a stream whose client left
        } catch (StoreUnavailableException e) {
            subscriber.close(CloseReason.STORE_UNAVAILABLE); // the client reconnects and resumes from its cursor
        } catch (RuntimeException e) {
            if (subscriber.close(CloseReason.ERROR)) {
                LOG.log(System.Logger.Level.ERROR, "subscriber " + subscriber + " failed", e);
            }
        } catch (InterruptedException e) {
            subscriber.close(CloseReason.SHUTDOWN);
        } finally {
            subscriber.close(CloseReason.ERROR); // no-op when already closed, which is the normal case
            membership.leave(); // again: a topic joined while close() ran is left now
            finish();
            stats.drainLoops.decrementAndGet();
        }
    }

    /**
     * Opens the positioned stream (SSE headers, the WebSocket's ready message): from here the
     * client sees it open and it counts as live; then the replay of a reconnecting client.
     */
    private void open() throws IOException {
        writer.open();
        subscriber.opened();
        if (start.resumes()) {
            catchUp.replay(start);
        }
        writer.flush();
    }

    private void drainOnce() throws IOException, InterruptedException {
        inbox.awaitNext(batch);
        topicChanges.apply();
        inbox.drainTo(batch);
        stats.queueDepth.observe(batch.size());
        int deliveries = 0;
        for (QueueItem item : batch) {
            if (item instanceof Delivery) {
                deliveries++;
            }
        }
        inbox.taken(deliveries);
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
        if (lag.takeMark()) {
            catchUp();
        }
        writer.flush();
        if (topicChanges.pending()) {
            inbox.signal(Signal.TOPICS_CHANGED); // its signal found the queue full: drainTo emptied it since
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

    /** Reads what the stream missed while it was behind, or moves it to the present past max_lag. */
    private void catchUp() throws IOException {
        stats.catchUps.increment();
        if (lag.behindLongerThan(nanoClock.getAsLong(), settings.maxLag().toNanos())) {
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
        inbox.caughtUp();
    }

    /**
     * Ends the connection, saying why where the protocol can. The final write has a deadline like
     * every other: the ticker finds the stream among the finishing ones ({@link Streams}) and
     * interrupts the write past write_timeout, so a client that stopped reading cannot keep this
     * thread and its socket.
     */
    private void finish() {
        drainThread.finishing(); // a close's interrupt, early or late, must not fail this write (see DrainThread)
        long retry = settings.reconnectRetry().toMillis();
        long retryMillis = retry + ThreadLocalRandom.current().nextLong(retry * 4 + 1);
        try {
            subscriber.finish(reason -> writer.finish(reason, retryMillis));
        } finally {
            drainThread.unbind();
        }
    }
}
