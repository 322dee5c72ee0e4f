package io.wirehub.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProbeTest {
    private final AtomicLong now = new AtomicLong();
    private final AtomicInteger checks = new AtomicInteger();
    private final AtomicBoolean storeUp = new AtomicBoolean(true);

    private Probe probe() {
        return new Probe(
                () -> {
                    checks.incrementAndGet();
                    return storeUp.get();
                },
                Duration.ofSeconds(1),
                now::get);
    }

    @Test
    void anAnswerIsReusedForItsMaxAgeThenCheckedAgain() {
        Probe probe = probe();
        assertTrue(probe.up());
        storeUp.set(false);
        now.addAndGet(Duration.ofMillis(999).toNanos());
        assertTrue(probe.up(), "still the answer of the last check");
        assertEquals(1, checks.get());

        now.addAndGet(Duration.ofMillis(1).toNanos());
        assertFalse(probe.up());
        assertEquals(2, checks.get());
    }

    @Test
    void whileOneCheckRunsOtherCallersGetTheLastAnswerWithoutWaiting() throws Exception {
        CountDownLatch inCheck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean slow = new AtomicBoolean();
        Probe probe = new Probe(
                () -> {
                    checks.incrementAndGet();
                    if (slow.get()) {
                        inCheck.countDown();
                        await(release);
                        return false;
                    }
                    return true;
                },
                Duration.ofSeconds(1),
                now::get);
        assertTrue(probe.up());
        slow.set(true);
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        Thread checker = Thread.ofVirtual().start(probe::up);
        assertTrue(inCheck.await(5, TimeUnit.SECONDS));

        for (int i = 0; i < 100; i++) {
            assertTrue(probe.up(), "the last answer, at once");
        }
        assertEquals(2, checks.get(), "one check in flight, however many callers");

        release.countDown();
        checker.join();
        assertFalse(probe.up(), "the new answer once the check ended");
        assertEquals(2, checks.get());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
