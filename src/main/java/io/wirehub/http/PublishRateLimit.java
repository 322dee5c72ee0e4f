package io.wirehub.http;

import java.util.Collections;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * {@code publish.rate_limit}: how many events per second each publisher may store, so that one
 * runaway or hostile publisher cannot fill the store and every subscriber's queue for everyone.
 *
 * <p>A token bucket per publisher, holding one second's worth: the token's subject, or the
 * client's address where there is none (auth none, a token without {@code sub}). A request is
 * admitted while its bucket is not empty, and takes one token per event: a batch may leave the
 * bucket in debt (a batch larger than a second's worth still passes, and the debt delays what
 * follows), so no valid batch is refused forever. Past the limit: {@code 429 rate_limited} with
 * {@code Retry-After}, and nothing is stored.
 *
 * <p>Memory: one small bucket per publisher seen; past {@link #MAX_BUCKETS} the full ones (idle
 * for a second or more: they remember nothing a new bucket would not) are forgotten. The sweep is
 * amortized: each publish past the cap looks at the next {@link #SWEEP_STEP} buckets from where the
 * last one stopped, never at all of them (100,000 active publishers would otherwise make every
 * publish scan 100,000 buckets that cannot be forgotten).
 */
final class PublishRateLimit {
    // NOTE: clients branch on this code.
    static final String RATE_LIMITED = "rate_limited";
    static final int MAX_BUCKETS = 100_000;
    // Twice what one publish can add (one bucket), so the sweep outpaces growth once buckets fill.
    static final int SWEEP_STEP = 32;

    private final double perSecond; // 0: no limit
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final ReentrantLock sweepLock = new ReentrantLock(); // one sweeper at a time; the others skip it
    private Iterator<Bucket> sweep = Collections.emptyIterator(); // guarded by sweepLock
    private final LongAdder examined = new LongAdder();

    PublishRateLimit(int perSecond, LongSupplier nanoClock) {
        this.perSecond = perSecond;
        this.nanoClock = nanoClock;
    }

    /** Takes {@code events} tokens for {@code publisher}, or refuses with 429. */
    void acquire(String publisher, int events) {
        if (perSecond <= 0) {
            return;
        }
        long now = nanoClock.getAsLong();
        if (buckets.size() > MAX_BUCKETS) {
            sweep(now);
        }
        double wait = buckets.computeIfAbsent(publisher, key -> new Bucket(perSecond, now))
                .take(events, now);
        if (wait > 0) {
            long seconds = Math.max(1, (long) Math.ceil(wait));
            throw new RateLimited(
                    seconds,
                    "more than " + (long) perSecond + " events per second from this publisher"
                            + " (publish.rate_limit); nothing was stored. Retry after " + seconds + " s");
        }
    }

    /** Forgets the full buckets among the next {@link #SWEEP_STEP}, resuming where the last sweep stopped. */
    private void sweep(long now) {
        if (!sweepLock.tryLock()) {
            return;
        }
        try {
            for (int i = 0; i < SWEEP_STEP; i++) {
                if (!sweep.hasNext()) {
                    sweep = buckets.values().iterator(); // weakly consistent: safe while others add and remove
                    if (!sweep.hasNext()) {
                        return;
                    }
                }
                Bucket bucket = sweep.next();
                examined.increment();
                if (bucket.full(now)) {
                    sweep.remove();
                }
            }
        } finally {
            sweepLock.unlock();
        }
    }

    /** Buckets the sweeps have looked at so far (a test checks the cost stays bounded). */
    long examined() {
        return examined.sum();
    }

    /** Publishers remembered now. */
    int buckets() {
        return buckets.size();
    }

    /** A refusal that says when to come back. */
    static final class RateLimited extends ApiError {
        RateLimited(long retryAfterSeconds, String message) {
            super(429, RATE_LIMITED, message, retryAfterSeconds);
        }
    }

    private static final class Bucket {
        private final double perSecond;
        private double tokens;
        private long updatedNanos;

        Bucket(double perSecond, long now) {
            this.perSecond = perSecond;
            this.tokens = perSecond;
            this.updatedNanos = now;
        }

        /** Takes the tokens and returns 0, or returns the seconds until one is available. */
        synchronized double take(int events, long now) {
            refill(now);
            if (tokens < 1) {
                return (1 - tokens) / perSecond;
            }
            tokens -= events;
            return 0;
        }

        synchronized boolean full(long now) {
            refill(now);
            return tokens >= perSecond;
        }

        private void refill(long now) {
            double seconds = (now - updatedNanos) / (double) TimeUnit.SECONDS.toNanos(1);
            tokens = Math.min(perSecond, tokens + seconds * perSecond);
            updatedNanos = now;
        }
    }
}
