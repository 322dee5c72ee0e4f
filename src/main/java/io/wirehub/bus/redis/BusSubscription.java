package io.wirehub.bus.redis;

import io.wirehub.bus.BusListener;
import io.wirehub.schedule.Scheduler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The receiving side of the bus, on one Redis ({@link RedisSubscription}) or a cluster
 * ({@link ClusterSubscription}). This class owns what both do alike: the subscriber thread and its
 * loop (subscribe until the connection drops, wait a {@link Backoff}: 100 ms doubling to 5 s,
 * jittered; again), the counters, the first-subscribe latch that start-up waits on, the one log
 * line per outage, what happens once live (a reconnect backfills, see {@link #live}), each shard's
 * acknowledgement, and close (wake the thread, join it). A subclass supplies only how one
 * attempt subscribes ({@link #subscribeUntilDropped}) and how close ends it ({@link #endAttempt}).
 *
 * <p>Nothing a message contains, and nothing the hub throws, ends the thread; only
 * {@link #close()} does. It is a platform thread: a long-lived thread blocked on one socket is what
 * platform threads are for, and a thread dump shows it by name.
 */
abstract class BusSubscription implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BusSubscription.class.getName());
    private static final Duration FIRST_DELAY = Duration.ofMillis(100);
    private static final Duration MAX_DELAY = Duration.ofSeconds(5);
    // close() waits this long for the thread: longer than one connect timeout, which a platform
    // thread cannot be interrupted out of.
    private static final Duration JOIN_WAIT = Duration.ofSeconds(5);

    /**
     * What a subscription is wired to, whatever the topology.
     *
     * @param origin this instance: its own messages come back and are skipped
     * @param redisAnswered run on the subscriber thread after each subscribe and message (the bus
     *     re-sends its backlog then); must not throw
     * @param scheduler runs the heartbeats
     * @param pingInterval how often a connection is PINGed
     * @param pingTimeout a PING unanswered this long drops the connection
     */
    record Parts(
            ShardChannels channels,
            Routing routing,
            UUID origin,
            BusListener listener,
            Runnable redisAnswered,
            Scheduler scheduler,
            Duration pingInterval,
            Duration pingTimeout) {

        SubscriptionHeartbeat heartbeat() {
            return new SubscriptionHeartbeat(scheduler, pingInterval, pingTimeout);
        }
    }

    final Parts parts;
    final Routing routing;
    final MessageIntake intake;
    final AtomicBoolean closed = new AtomicBoolean();
    volatile boolean subscribed;
    private final String where;
    private final Thread thread;
    private final CountDownLatch firstSubscribe = new CountDownLatch(1);
    private final LongAdder reconnects = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final Backoff backoff = new Backoff(
            FIRST_DELAY, MAX_DELAY, () -> ThreadLocalRandom.current().nextDouble());
    private volatile RuntimeException lastFailure;
    private volatile String droppedBecause; // why we ended the connection ourselves, for the log
    private int failedAttempts; // subscriber thread only

    /**
     * @param threadName the subscriber thread's
     * @param where what it subscribes to, for the log ("Redis at host:6379")
     */
    BusSubscription(Parts parts, String threadName, String where) {
        this.parts = parts;
        this.routing = parts.routing();
        this.intake = new MessageIntake(parts.origin(), parts.listener(), parts.redisAnswered());
        this.where = where;
        this.thread = Thread.ofPlatform().name(threadName).daemon(true).unstarted(this::run);
    }

    /** One attempt: connect, subscribe, read until the connection(s) end; returns or throws then. */
    abstract void subscribeUntilDropped();

    /** close() ends the attempt under way, from another thread: e.g. closes its socket. */
    abstract void endAttempt();

    /** SUBSCRIBE and UNSUBSCRIBE of shard channels on the live connection(s), for {@link ShardInterest}. */
    abstract Routing.Commands commands();

    /**
     * Starts the thread and returns once first subscribed.
     *
     * @throws IllegalStateException one line saying why, when not subscribed within {@code wait}; closed then
     */
    void start(Duration wait, Topology topology) {
        thread.start();
        boolean done;
        try {
            done = firstSubscribe.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done = false;
        }
        if (!done) {
            RuntimeException failure = lastFailure;
            close();
            throw new IllegalStateException(
                    failure != null
                            ? topology.unreachable(failure)
                            : "cannot subscribe to " + where + " within " + wait.toMillis() + " ms");
        }
    }

    private void run() {
        while (!closed.get()) {
            try {
                subscribeUntilDropped();
            } catch (RuntimeException e) { // connect, AUTH or the connection failed: try again later
                lastFailure = e;
                failures.increment();
                lost(e);
            } finally {
                subscribed = false;
            }
            if (!closed.get()) {
                pauseBeforeRetry();
            }
        }
    }

    /** Sleeps the next backoff delay; close() interrupts it. */
    private void pauseBeforeRetry() {
        try {
            Thread.sleep(backoff.next());
        } catch (InterruptedException e) {
            // close() wakes us; the loop checks closed. Any other interrupt only shortens the wait.
        }
    }

    private void lost(RuntimeException e) {
        if (closed.get()) {
            return;
        }
        String why = droppedBecause != null ? droppedBecause : RedisAddress.reason(e);
        droppedBecause = null;
        if (failedAttempts++ == 0 && firstSubscribe.getCount() == 0) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "lost the subscription to " + where + ": " + why
                            + "; subscribing again, events missed meanwhile are backfilled from the store");
        }
    }

    /** We are ending the connection ourselves (e.g. no PONG), for the log line that follows. */
    void dropping(String why) {
        subscribed = false;
        droppedBecause = why;
    }

    /**
     * The subscription is live, first or again: after a drop, what went by meanwhile must be
     * re-read from the store. When each shard's acknowledgement re-reads its topics
     * ({@link Routing#backfillsPerShard}) that is done already; otherwise the hub re-reads every
     * active topic. Runs on a subscriber thread.
     */
    final void live() {
        subscribed = true;
        failedAttempts = 0;
        backoff.reset();
        boolean again = firstSubscribe.getCount() == 0;
        routing.ready();
        if (again) {
            reconnects.increment();
            LOG.log(
                    System.Logger.Level.INFO,
                    "subscribed to " + where + " again; "
                            + (routing.backfillsPerShard()
                                    ? "the topics of each shard are backfilled as it is subscribed"
                                    : "backfilling active topics from the store"));
            if (!routing.backfillsPerShard()) {
                try {
                    parts.listener().reconnected();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "backfill after reconnecting to " + where + " failed", e);
                }
            }
        }
        firstSubscribe.countDown();
        parts.redisAnswered().run();
    }

    /** Redis acknowledged a shard channel: the topics it carries here may have lost events before. */
    final void shardAcknowledged(byte[] channel) {
        List<String> topics = routing.acknowledged(channel);
        if (topics.isEmpty()) {
            return;
        }
        try {
            parts.listener().resubscribed(topics);
        } catch (RuntimeException e) {
            LOG.log(
                    System.Logger.Level.ERROR,
                    "backfill after subscribing to " + new String(channel, StandardCharsets.UTF_8) + " failed",
                    e);
        }
    }

    /** Stops the thread and closes its connection(s); idempotent; returns once the thread is gone (or after 5 s). */
    @Override
    public final void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        endAttempt();
        thread.interrupt(); // wakes a backoff pause
        if (Thread.currentThread() == thread || thread.getState() == Thread.State.NEW) {
            return;
        }
        try {
            if (!thread.join(JOIN_WAIT)) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        thread.getName() + " did not stop within " + JOIN_WAIT.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    final boolean isSubscribed() {
        return subscribed;
    }

    /** Events received from the other instances. */
    final long received() {
        return intake.received();
    }

    /** Successful subscribes after the first. */
    final long reconnects() {
        return reconnects.sum();
    }

    /** Subscriptions that dropped and connects that failed. */
    final long failures() {
        return failures.sum();
    }

    final long malformedSkipped() {
        return intake.malformedSkipped();
    }
}
