package io.wirehub.bus.redis;

import io.wirehub.schedule.Scheduler;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Proves the subscriber connection alive: a PING on it every {@code bus.redis.ping_interval}, and
 * when no PONG comes within {@code bus.redis.ping_timeout}, the subscription is declared dead.
 *
 * <p>Why: a subscriber only reads. A connection that a partition cut without FIN or RST (a NAT or
 * firewall that forgot the flow, a host that vanished) reads nothing, forever, with no error: no
 * reconnect, no backfill, health says the bus is fine. TCP keepalive would notice after hours at
 * the OS defaults, and a read timeout cannot tell a quiet channel from a dead one. A PONG can.
 *
 * <p>Thread: none of its own. Each beat is a blocking task on the instance's {@link Scheduler}: a
 * virtual thread, {@code redis-ping}, sends the 14-byte PING and waits for the PONG (parked, holding
 * no platform thread and stalling no other task); the next beat comes an interval after.
 * The PONG is read by the subscriber thread, behind the messages before it, so a hub slower than
 * the timeout to take a message would look dead too: the price is a needless reconnect and
 * backfill, never a gap.
 */
final class SubscriptionHeartbeat implements AutoCloseable {
    private final Scheduler scheduler;
    private final Duration interval;
    private final Duration timeout;
    private volatile Scheduler.Task beats;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ponged = lock.newCondition();
    // Held while a PING (or another command, see whileWatched) is sent and while unwatching, so
    // nothing reaches a closed connection and two threads never write to it at once.
    private final ReentrantLock pinging = new ReentrantLock();
    private long pongs; // guarded by lock
    private volatile Watched watched;

    /** How to PING the subscription being watched, and what to do when it stops answering. */
    private record Watched(Runnable ping, Runnable dead) {}

    SubscriptionHeartbeat(Scheduler scheduler, Duration interval, Duration timeout) {
        this.scheduler = scheduler;
        this.interval = interval;
        this.timeout = timeout;
    }

    void start() {
        beats = scheduler.everyBlocking("redis-ping", interval, this::beat);
    }

    /**
     * Watches a subscription from now on (call once it is subscribed), in place of any other.
     *
     * @param ping sends a PING (or any command whose answer calls {@link #ponged()}) on it
     * @param dead run on the beat's thread when a PING goes unanswered; it must end that
     *     subscription's connection
     */
    void watch(Runnable ping, Runnable dead) {
        watched = new Watched(ping, dead);
    }

    /**
     * Runs {@code write} (a command sent on the watched connection from another thread than its
     * reader, e.g. SUBSCRIBE) unless no connection is watched; never at the same time as a PING.
     * Returns whether it ran and did not throw.
     */
    boolean whileWatched(Runnable write) {
        pinging.lock();
        try {
            if (watched == null) {
                return false;
            }
            write.run();
            return true;
        } catch (RuntimeException e) {
            return false; // the connection is failing: its reader sees it and reconnects
        } finally {
            pinging.unlock();
        }
    }

    /**
     * The watched subscription is ending: nothing to ping until the next {@link #watch}. Returns
     * once no PING is under way, so the caller may then close the connection.
     */
    void unwatch() {
        pinging.lock();
        try {
            watched = null;
        } finally {
            pinging.unlock();
        }
    }

    /** Called by the subscriber thread on each PONG. */
    void ponged() {
        lock.lock();
        try {
            pongs++;
            ponged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** One PING, and the verdict on its PONG. */
    private void beat() {
        if (closed.get()) {
            return;
        }
        long before = pongs();
        Watched current = pingWatched();
        if (current == null) {
            return; // between connections, or the connection failing already: the subscriber thread sees it
        }
        if (!pongedSince(before) && !closed.get() && watched == current) {
            current.dead().run();
        }
    }

    /** PINGs the watched subscription, unless it is being unwatched; returns it, or null. */
    private Watched pingWatched() {
        pinging.lock();
        try {
            Watched current = watched;
            if (current != null) {
                current.ping().run();
            }
            return current;
        } catch (RuntimeException e) {
            return null;
        } finally {
            pinging.unlock();
        }
    }

    private long pongs() {
        lock.lock();
        try {
            return pongs;
        } finally {
            lock.unlock();
        }
    }

    /** Waits up to the timeout for a PONG past the first {@code before}; true when one came (or on close). */
    private boolean pongedSince(long before) {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (pongs == before && !closed.get()) {
                if (left <= 0) {
                    return false;
                }
                left = ponged.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            return true; // close(): not a verdict on Redis
        } finally {
            lock.unlock();
        }
    }

    /** Stops the beats; idempotent; returns once none is under way. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        lock.lock();
        try {
            ponged.signalAll(); // a beat waiting for its PONG gives up: not a verdict on Redis
        } finally {
            lock.unlock();
        }
        if (beats != null) {
            beats.cancel();
        }
    }
}
