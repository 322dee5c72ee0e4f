package io.wirehub.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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
 * for a second or more: they remember nothing a new bucket would not) are forgotten.
 */
final class PublishRateLimit {
    // NOTE: clients branch on this code.
    static final String RATE_LIMITED = "rate_limited";
    private static final int MAX_BUCKETS = 100_000;

    private final double perSecond; // 0: no limit
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

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
            buckets.values().removeIf(bucket -> bucket.full(now));
        }
        double wait = buckets.computeIfAbsent(publisher, key -> new Bucket(perSecond, now)).take(events, now);
        if (wait > 0) {
            long seconds = Math.max(1, (long) Math.ceil(wait));
            throw new RateLimited(seconds, "more than " + (long) perSecond + " events per second from this publisher"
                    + " (publish.rate_limit); nothing was stored. Retry after " + seconds + " s");
        }
    }

    /** A refusal that says when to come back. */
    static final class RateLimited extends ApiError {
        private final long retryAfterSeconds;

        RateLimited(long retryAfterSeconds, String message) {
            super(429, RATE_LIMITED, message);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        long retryAfterSeconds() {
            return retryAfterSeconds;
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
