package io.wirehub.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The fan-out bound publishers wait on: what it admits, and how it follows the streams. */
class FanOutWorkTest {
    private final AtomicInteger capacity = new AtomicInteger(10_000 * 64);
    private final FanOutWork work = new FanOutWork(100_000, capacity::get);

    @Test
    void theBoundIsTheConfiguredOneOrHalfTheSlotsOfTheStreamsThatKeepUpButNeverBelowATenth() {
        assertEquals(100_000, work.limit(), "10,000 streams of 64 slots: the configured bound");
        capacity.set(1_000 * 64);
        assertEquals(32_000, work.limit(), "1,000 streams: half their slots");
        capacity.set(64);
        assertEquals(
                10_000, work.limit(), "one stream: a tenth of the configured bound, so one full queue is no overload");
    }

    @Test
    void aPublishThatDoesNotFitIsRefusedAtItsDeadlineAndOneThatFitsIsAdmitted() {
        work.added(95_000);
        assertTrue(work.awaitRoom(5_000, System.nanoTime()), "fits exactly");
        assertFalse(work.awaitRoom(5_001, System.nanoTime() + 5_000_000), "past the bound until the deadline");
        work.taken(95_000);
        assertEquals(0, work.pending());
        assertTrue(work.awaitRoom(1, System.nanoTime()));
    }

    @Test
    void aFanOutWiderThanTheWholeBoundWaitsOnlyForHalfOfItToBeFree() {
        work.added(60_000);
        assertFalse(work.awaitRoom(250_000, System.nanoTime()), "less than half free");
        work.taken(10_000);
        assertTrue(work.awaitRoom(250_000, System.nanoTime()), "half free: it goes out, though wider than the bound");
    }
}
