package io.wirehub.bus.redis;

import io.wirehub.bus.BusListener;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * The receiving side of the bus, one Redis ({@link RedisSubscription}) or a cluster
 * ({@link ClusterSubscription}): what both keep (counters, the first-subscribe latch, the
 * reconnect backoff: 100 ms doubling to 5 s, jittered) and how start-up waits for it.
 */
abstract class BusSubscription implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BusSubscription.class.getName());
    private static final Duration FIRST_DELAY = Duration.ofMillis(100);
    private static final Duration MAX_DELAY = Duration.ofSeconds(5);

    final MessageIntake intake;
    final AtomicBoolean closed = new AtomicBoolean();
    final CountDownLatch firstSubscribe = new CountDownLatch(1);
    final LongAdder reconnects = new LongAdder();
    final Backoff backoff = new Backoff(FIRST_DELAY, MAX_DELAY, () -> ThreadLocalRandom.current().nextDouble());
    volatile boolean subscribed;
    private final LongAdder failures = new LongAdder();
    private volatile RuntimeException lastFailure;

    BusSubscription(MessageIntake intake) {
        this.intake = intake;
    }

    /**
     * Starts its thread(s) and returns once first subscribed.
     *
     * @throws IllegalStateException one line saying why, when not subscribed within {@code wait}; stopped then
     */
    abstract void start(Duration wait);

    /** Stops the thread(s) and closes the connections; idempotent. */
    @Override
    public abstract void close();

    /**
     * Waits for the first subscribe; when it does not come, closes and throws the last failure
     * as {@code unreachable} words it, or {@code notWithin} followed by the wait.
     */
    void awaitFirstSubscribe(Duration wait, Function<RuntimeException, String> unreachable, String notWithin) {
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
            throw new IllegalStateException(failure != null ? unreachable.apply(failure) : notWithin + " within " + wait.toMillis() + " ms");
        }
    }

    /** An attempt to subscribe, or a subscription, failed: counted and kept for the start-up message. */
    void failed(RuntimeException e) {
        lastFailure = e;
        failures.increment();
    }

    /** Sleeps the next backoff delay; close() interrupts it. */
    void pauseBeforeRetry() {
        try {
            Thread.sleep(backoff.next());
        } catch (InterruptedException e) {
            // close() wakes us; the loop checks closed. Any other interrupt only shortens the wait.
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

    /**
     * The subscription is live, first or again: after a drop, what went by meanwhile must be
     * re-read from the store. With interest routing each shard's acknowledgement did that for its
     * topics already; otherwise the hub re-reads every active topic. Runs on a subscriber thread.
     *
     * @param where what it subscribed to, for the log ("Redis at host:6379")
     */
    final void live(ShardInterest interest, BusListener listener, String where) {
        subscribed = true;
        backoff.reset();
        boolean again = firstSubscribe.getCount() == 0;
        if (interest != null) {
            interest.ready();
        }
        if (again) {
            reconnects.increment();
            LOG.log(System.Logger.Level.INFO, "subscribed to " + where + " again; " + (interest != null
                    ? "the topics of each shard are backfilled as it is subscribed" : "backfilling active topics from the store"));
            if (interest == null) {
                try {
                    listener.reconnected();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "backfill after reconnecting to " + where + " failed", e);
                }
            }
        }
        firstSubscribe.countDown();
    }
}
