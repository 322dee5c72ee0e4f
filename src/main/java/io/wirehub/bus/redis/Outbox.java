package io.wirehub.bus.redis;

import io.wirehub.event.Event;
import io.wirehub.schedule.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * The events on their way to Redis. A batch is PUBLISHed, pipelined, from a pooled connection
 * ({@link PublishTarget}), each event on its topic's channel ({@link Routing}). A failed PUBLISH
 * never throws: it is counted, logged once per outage, and the newest event of each topic waits
 * in a {@link TailBacklog} to be sent again once Redis answers.
 *
 * <p>While PUBLISH fails, sends try Redis at most once per {@link #PROBE_INTERVAL} (the probe) and
 * otherwise go straight to the backlog, so a black-holed Redis does not add a connect timeout to
 * every publish request. A re-send of the backlog is due one probe interval after it last grew
 * (a blocking task on the {@link Scheduler}, {@code redis-backlog}), and whenever the subscriber
 * hears from Redis ({@link #redisAnswered}), so a quiet topic's last events still go out.
 */
final class Outbox implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Outbox.class.getName());
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);
    // Topics whose last event the backlog keeps during an outage: memory stays bounded (at most
    // this many events), and a forgotten topic still recovers elsewhere with its next event.
    private static final int BACKLOG_TOPICS = 1000;

    private final PublishTarget target;
    private final Routing routing;
    private final UUID origin;
    private final String shown;
    private final Scheduler scheduler;
    private final TailBacklog backlog = new TailBacklog(BACKLOG_TOPICS);
    private final AtomicBoolean outage = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final LongAdder failures = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final ReentrantLock retryLock = new ReentrantLock();
    private Scheduler.Task retry; // the one pending re-send of the backlog, if any; guarded by retryLock
    private volatile long lastAttemptNanos;

    /**
     * @param origin this instance, written into every message so it skips its own
     * @param shown where, for the log
     */
    Outbox(PublishTarget target, Routing routing, UUID origin, String shown, Scheduler scheduler) {
        this.target = target;
        this.routing = routing;
        this.origin = origin;
        this.shown = shown;
        this.scheduler = scheduler;
    }

    /** PUBLISHes the backlog, then {@code events}; what fails goes (back) to the backlog. Never throws. */
    void send(List<Event> events) {
        if (closed.get()) {
            return;
        }
        List<Event> batch = withBacklog(events);
        if (batch.isEmpty()) {
            return;
        }
        boolean down = outage.get();
        if (down && System.nanoTime() - lastAttemptNanos < PROBE_INTERVAL.toNanos()) {
            keepForLater(batch);
            return;
        }
        lastAttemptNanos = System.nanoTime();
        try {
            publishRetryingStale(batch, !down);
            sent.add(batch.size());
        } catch (RuntimeException e) {
            failures.increment();
            keepForLater(batch);
            if (outage.compareAndSet(false, true)) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "cannot publish to Redis at " + shown + ": " + RedisAddress.reason(e)
                                + "; events are stored and reach local subscribers, other instances catch up from the store");
            }
            return;
        }
        if (outage.compareAndSet(true, false)) {
            LOG.log(System.Logger.Level.INFO, "publishing to Redis at " + shown + " again");
        }
    }

    /**
     * The subscriber just heard from Redis: a moment to re-send what failed, even if no publish
     * comes. Runs on a subscriber thread, so it keeps to the probe interval too.
     */
    void redisAnswered() {
        if (!backlog.isEmpty()) {
            send(List.of());
        }
    }

    /** PUBLISH attempts that failed (each kept its events in the backlog). */
    long failures() {
        return failures.sum();
    }

    /** Events PUBLISHed (a re-sent backlog event counts again). */
    long sent() {
        return sent.sum();
    }

    /** Topics whose last event waits to be PUBLISHed again (0 while Redis answers). */
    int backlogTopics() {
        return backlog.size();
    }

    /**
     * Sends what still waits in the backlog (one try, bounded by the Redis timeouts), then takes
     * no more: the last events of a topic whose PUBLISH failed just before a shutdown still reach
     * the other instances, which would otherwise see them only with the topic's next event.
     * Leaves the publishing connections open: {@link #closeTarget} closes them.
     */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        Scheduler.Task pending;
        retryLock.lock();
        try {
            pending = retry;
        } finally {
            retryLock.unlock();
        }
        if (pending != null) {
            pending.cancel(); // waits for a re-send under way
        }
        List<Event> left = backlog.takeAll();
        if (left.isEmpty()) {
            return;
        }
        try {
            publishRetryingStale(left, !outage.get());
        } catch (RuntimeException e) {
            failures.increment();
            LOG.log(
                    System.Logger.Level.WARNING,
                    "closing without announcing the last events of " + left.size()
                            + " topic(s) on Redis at " + shown + ": " + RedisAddress.reason(e)
                            + "; other instances read them from the store with each topic's next event or their next reconnect");
        }
    }

    void closeTarget() {
        target.close();
    }

    /** Keeps the batch in the backlog and makes sure it is re-sent after the probe interval even if nothing else happens. */
    private void keepForLater(List<Event> batch) {
        backlog.keep(batch);
        retryLock.lock();
        try {
            if (retry != null || closed.get()) {
                return;
            }
            retry = scheduler.afterBlocking("redis-backlog", PROBE_INTERVAL, () -> {
                retryLock.lock();
                try {
                    retry = null;
                } finally {
                    retryLock.unlock();
                }
                send(List.of());
            });
        } finally {
            retryLock.unlock();
        }
    }

    private List<Event> withBacklog(List<Event> events) {
        List<Event> pending = backlog.takeAll();
        if (pending.isEmpty()) {
            return events;
        }
        List<Event> all = new ArrayList<>(pending.size() + events.size());
        all.addAll(pending);
        all.addAll(events);
        return all;
    }

    private void publishRetryingStale(List<Event> batch, boolean retryStale) {
        byte[][] messages = new byte[batch.size()][];
        byte[][] channels = new byte[batch.size()][];
        for (int i = 0; i < messages.length; i++) {
            messages[i] = EventMessage.encode(origin, batch.get(i));
            channels[i] = routing.channelOf(batch.get(i).topic());
        }
        try {
            target.publish(channels, messages);
        } catch (JedisConnectionException e) {
            if (!retryStale) {
                throw e;
            }
            // A pooled connection can die while idle (Redis restart, idle timeout, CLIENT KILL);
            // the pool has dropped it, so one more try gets a fresh one.
            target.publish(channels, messages);
        }
    }
}
