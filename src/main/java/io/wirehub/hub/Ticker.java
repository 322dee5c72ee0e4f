package io.wirehub.hub;

import io.wirehub.schedule.Scheduler;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The one shared timer of all streams (not a timer per connection): every period it asks each
 * subscriber to enqueue a due heartbeat and to enforce its write and pong deadlines, and the hub
 * to fill the seq gaps that no later event resolved.
 *
 * <p>Cost: one pass over the live subscribers per period; a pass touches a few volatile fields
 * per subscriber and never blocks on one, so it runs on the instance's scheduler thread.
 */
public final class Ticker implements AutoCloseable {
    static final Duration GAP_CHECK = Duration.ofMillis(50);
    private final Hub hub;
    private final LongSupplier nanoClock;
    private final Duration period;
    private long nextSubscriberTick; // the scheduler thread's alone once started
    private Scheduler.Task task;

    public Ticker(Hub hub, LongSupplier nanoClock, Duration period) {
        this.hub = hub;
        this.nanoClock = nanoClock;
        this.period = period;
    }

    /**
     * The period that keeps each deadline's error under a quarter of it: heartbeats, write and
     * pong deadlines fire at most that late. Between 20 ms and 1 s.
     */
    public static Duration periodFor(HubSettings settings) {
        long shortest = Math.min(
                settings.heartbeatInterval().toMillis(),
                Math.min(
                        settings.writeTimeout().toMillis(),
                        settings.pongTimeout().toMillis()));
        return Duration.ofMillis(Math.clamp(shortest / 4, 20, 1000));
    }

    /**
     * Subscribers every period; the hub's held gaps more often (every {@link #GAP_CHECK}), as a
     * pass over the active topics is cheap and a held event delays its topic.
     */
    public Ticker start(Scheduler scheduler) {
        nextSubscriberTick = nanoClock.getAsLong() + period.toNanos();
        task = scheduler.every(GAP_CHECK.compareTo(period) < 0 ? GAP_CHECK : period, this::pass);
        return this;
    }

    /** One pass; the scheduler runs it every period, tests call it with a clock of their own. */
    public void tick() {
        long now = nanoClock.getAsLong();
        for (Subscriber subscriber : hub.subscribers()) {
            subscriber.tick(now);
        }
        for (Subscriber subscriber : hub.finishing()) {
            subscriber.tick(now);
        }
        hub.tick(now);
    }

    private void pass() {
        long now = nanoClock.getAsLong();
        if (now - nextSubscriberTick >= 0) {
            nextSubscriberTick = now + period.toNanos();
            tick();
        } else {
            hub.tick(now);
        }
    }

    @Override
    public void close() {
        if (task != null) {
            task.cancel();
        }
    }
}
