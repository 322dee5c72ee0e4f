package io.wirehub.http;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token bucket behind publish.rate_limit, on a clock the test moves. */
class PublishRateLimitTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final PublishRateLimit limit = new PublishRateLimit(5, now::get);

    @Test
    void aSecondsWorthPassesThenTheNextWaitsForItsToken() {
        for (int i = 0; i < 5; i++) {
            limit.acquire("alice", 1);
        }
        PublishRateLimit.RateLimited refused =
                assertThrows(PublishRateLimit.RateLimited.class, () -> limit.acquire("alice", 1));
        assertEquals(1, refused.retryAfterSeconds());
        assertEquals(429, refused.status());
        limit.acquire("bob", 1); // each publisher has its own bucket
        now.addAndGet(Duration.ofMillis(200).toNanos()); // one token back at 5/s
        limit.acquire("alice", 1);
        assertThrows(PublishRateLimit.RateLimited.class, () -> limit.acquire("alice", 1));
    }

    @Test
    void aBatchLargerThanASecondsWorthPassesAndItsDebtDelaysWhatFollows() {
        limit.acquire("alice", 12); // never refused forever: it leaves the bucket 7 in debt
        PublishRateLimit.RateLimited refused =
                assertThrows(PublishRateLimit.RateLimited.class, () -> limit.acquire("alice", 1));
        assertEquals(2, refused.retryAfterSeconds(), "8 tokens to earn at 5/s: 1.6 s, said as 2");
        now.addAndGet(Duration.ofMillis(1600).toNanos());
        limit.acquire("alice", 1);
    }

    @Test
    void pastTheBucketCapAPublishLooksAtAFewBucketsNotAllOfThem() {
        for (int i = 0; i <= PublishRateLimit.MAX_BUCKETS; i++) {
            limit.acquire("p" + i, 1); // none is full: none may be forgotten
        }
        for (int i = 0; i < 1000; i++) {
            limit.acquire("late" + i, 1);
        }
        long examined = limit.examined();
        assertTrue(examined <= 1000L * PublishRateLimit.SWEEP_STEP, examined + " buckets examined for 1000 publishes");

        now.addAndGet(Duration.ofSeconds(1).toNanos()); // every bucket is full again: forgettable
        for (int i = 0; i < 5000 && limit.buckets() > PublishRateLimit.MAX_BUCKETS; i++) {
            limit.acquire("again" + i, 1);
        }
        assertTrue(
                limit.buckets() <= PublishRateLimit.MAX_BUCKETS,
                "the sweep still forgets full buckets: " + limit.buckets());
    }

    @Test
    void zeroMeansNoLimit() {
        PublishRateLimit off = new PublishRateLimit(0, now::get);
        assertDoesNotThrow(() -> {
            for (int i = 0; i < 10_000; i++) {
                off.acquire("alice", 1);
            }
        });
    }
}
