package io.wirehub.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.store.memory.MemoryEventStore;
import io.wirehub.testing.Eventually;
import java.lang.reflect.Field;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The final frame of a closed stream ({@code token_expired}, the shutdown's {@code retry:}, the
 * WebSocket close code) is cut by nothing but its own write deadline.
 *
 * <p>{@code close()} interrupts the drain thread after its compare-and-set, with the hub's
 * bookkeeping in between. A drain thread that sees the stream closed in that gap (its next write
 * or loop check) leaves the loop and starts the final write, and the interrupt lands in it. The
 * gap cannot be widened from outside (every hook in it also blocks the drain thread's own exit),
 * so the test holds the final write at a gate and then runs the last step of {@code close()},
 * {@code drainThread.interrupt()}, itself: what a closer descheduled in that gap does.
 */
class FinalFrameTest {
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration TOKEN_LIFETIME = Duration.ofSeconds(1); // shorter than the write timeout

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Hub hub = new Hub(
            new MemoryEventStore(1000, InstantSource.system()),
            new HubSettings(
                    4,
                    4,
                    100,
                    OverflowPolicy.CATCH_UP,
                    Duration.ofSeconds(15),
                    WRITE_TIMEOUT,
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(1)),
            now::get);
    private final Ticker ticker = new Ticker(hub, now::get, Duration.ofSeconds(1));

    @Test
    void aTokenExpiryWhoseInterruptComesAfterTheFinalWriteBeganDoesNotCutTheTokenExpiredFrame() throws Exception {
        RecordingSink sink = new RecordingSink(false);
        Subscriber subscriber = finishingStream(sink, () -> {
            now.addAndGet(TOKEN_LIFETIME.toNanos());
            ticker.tick(); // the ticker closes it: TOKEN_EXPIRED
        });
        closeInterruptArrivesNow(subscriber);
        assertFinalWriteWhole(sink, CloseReason.TOKEN_EXPIRED);
    }

    @Test
    void aShutdownWhoseInterruptComesAfterTheFinalWriteBeganDoesNotCutTheRetryFrame() throws Exception {
        RecordingSink sink = new RecordingSink(false);
        Subscriber subscriber = finishingStream(sink, () -> hub.closeAll(CloseReason.SHUTDOWN));
        closeInterruptArrivesNow(subscriber);
        assertFinalWriteWhole(sink, CloseReason.SHUTDOWN);
    }

    /** An open stream, closed by {@code close}, whose final write is now held at the sink's gate. */
    private Subscriber finishingStream(RecordingSink sink, Runnable close) throws InterruptedException {
        sink.finishGate = new CountDownLatch(1);
        Subscriber subscriber = hub.subscriber(Transport.SSE, List.of("t"), Map.of(), Set.of(), sink, TOKEN_LIFETIME);
        Thread.ofVirtual().name("test-drain").start(subscriber::run);
        assertTrue(sink.flushed.await(5, TimeUnit.SECONDS), "the stream opened");
        close.run();
        assertTrue(sink.finishStarted.await(5, TimeUnit.SECONDS), "the drain loop began its final write");
        return subscriber;
    }

    private void assertFinalWriteWhole(RecordingSink sink, CloseReason reason) throws InterruptedException {
        sink.finishGate.countDown(); // the client reads the final frame
        assertTrue(sink.finished.await(5, TimeUnit.SECONDS), "the final write ended");
        assertFalse(sink.finishCut, "no interrupt cut the final write");
        assertEquals(reason, sink.finishReason);
        Eventually.await(
                "the drain loop gone", Duration.ofSeconds(5), () -> hub.stats().drainLoops() == 0);
    }

    /** The last step of close(), late: its caller was descheduled between its compare-and-set and it. */
    private static void closeInterruptArrivesNow(Subscriber subscriber) throws ReflectiveOperationException {
        Field drainThread = Subscriber.class.getDeclaredField("drainThread");
        drainThread.setAccessible(true);
        ((DrainThread) drainThread.get(subscriber)).interrupt();
    }
}
