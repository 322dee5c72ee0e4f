package io.wirehub.hub;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The one shared timer of all streams (not a timer per connection): every period it asks each
 * subscriber to enqueue a due heartbeat and to enforce its write and pong deadlines, and the hub
 * to fill the seq gaps that no later event resolved.
 *
 * <p>Cost: one pass over the live subscribers per period; a pass touches a few volatile fields
 * per subscriber and never blocks on one.
 */
public final class Ticker implements AutoCloseable {
    static final Duration GAP_CHECK = Duration.ofMillis(50);
    private final Hub hub;
    private final LongSupplier nanoClock;
    private final Duration period;
    private final Thread thread;
    private volatile boolean running = true;

    public Ticker(Hub hub, LongSupplier nanoClock, Duration period) {
        this.hub = hub;
        this.nanoClock = nanoClock;
        this.period = period;
        this.thread = Thread.ofPlatform().daemon().name("ticker").unstarted(this::loop);
    }

    /**
     * The period that keeps each deadline's error under a quarter of it: heartbeats, write and
     * pong deadlines fire at most that late. Between 20 ms and 1 s.
     */
    public static Duration periodFor(HubSettings settings) {
        long shortest = Math.min(settings.heartbeatInterval().toMillis(),
                Math.min(settings.writeTimeout().toMillis(), settings.pongTimeout().toMillis()));
        return Duration.ofMillis(Math.clamp(shortest / 4, 20, 1000));
    }

    public Ticker start() {
        thread.start();
        return this;
    }

    /** One pass; the loop calls it every period, tests call it with a clock of their own. */
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

    /**
     * Subscribers every period; the hub's held gaps more often (every {@link #GAP_CHECK}), as a
     * pass over the active topics is cheap and a held event delays its topic.
     */
    private void loop() {
        long nextSubscriberTick = nanoClock.getAsLong() + period.toNanos();
        while (running) {
            try {
                Thread.sleep(GAP_CHECK.compareTo(period) < 0 ? GAP_CHECK : period);
            } catch (InterruptedException e) {
                return;
            }
            long now = nanoClock.getAsLong();
            if (now - nextSubscriberTick >= 0) {
                nextSubscriberTick = now + period.toNanos();
                tick();
            } else {
                hub.tick(now);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
