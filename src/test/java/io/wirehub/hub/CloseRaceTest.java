package io.wirehub.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.store.memory.MemoryEventStore;
import io.wirehub.testing.AllAtOnce;
import io.wirehub.testing.LogWatch;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * Every side that can end a stream ends the same one at the same moment, many times over:
 * the client leaving (the transport's disconnect and its close callback), a failed or stuck
 * write, the overflow policy {@code disconnect}, the ticker's deadline (the write deadline in half
 * the rounds, the token's expiry in the others: the one ticker enforces both, so they never race
 * each other), and server shutdown. The
 * stream closes exactly once, with one reason counted, one final write, the live gauge back
 * at 0 (not below), no thread, no topic entry, and no exception anywhere.
 */
class CloseRaceTest {
    private static final int ROUNDS = 300;
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration TOKEN_LIFETIME =
            Duration.ofSeconds(1); // shorter than the write timeout: its deadline alone is due

    @Test
    void everySideClosingTheSameStreamAtOnceClosesItExactlyOnceAndReleasesEverythingOnce() throws Exception {
        MemoryEventStore store = new MemoryEventStore(1000, InstantSource.system());
        List<Event> burst = store.append(java.util.stream.IntStream.range(0, 8)
                .mapToObj(i -> new NewEvent("t", null, "e" + i, false))
                .toList());
        Map<CloseReason, Integer> winners = new java.util.EnumMap<>(CloseReason.class);
        try (LogWatch errors = LogWatch.attach("io.wirehub.hub", Level.WARNING)) {
            for (int round = 0; round < ROUNDS; round++) {
                winners.merge(race(store, burst, round % 2 == 0, round / 2 % 2 == 1, round), 1, Integer::sum);
            }
            assertEquals(List.of(), errors.records(), "nothing logged as a failure");
        }
        System.out.println("CloseRaceTest: " + ROUNDS + " rounds, the close that won each: " + winners);
    }

    private static CloseReason race(
            MemoryEventStore store, List<Event> burst, boolean writesFail, boolean tokenExpires, int round)
            throws Exception {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        Hub hub = new Hub(
                store,
                new HubSettings(
                        2,
                        2,
                        100,
                        OverflowPolicy.DISCONNECT,
                        Duration.ofSeconds(15),
                        WRITE_TIMEOUT,
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(1)),
                now::get);
        Ticker ticker = new Ticker(hub, now::get, Duration.ofSeconds(1));
        RecordingSink sink = new RecordingSink(false);
        sink.failWrites = writesFail; // a broken pipe
        sink.blockWrites = !writesFail; // else a full socket: each write blocks until interrupted
        Subscriber subscriber = hub.subscriber(
                Transport.SSE, List.of("t"), Map.of("t", 0L), Set.of(), sink, tokenExpires ? TOKEN_LIFETIME : null);
        Thread drain = Thread.ofVirtual().name("test-drain").start(subscriber::run);
        assertTrue(sink.opened.await(5, TimeUnit.SECONDS), "round " + round + ": the stream opened");

        List<Runnable> sides = List.of(
                () -> burst.forEach(hub::onEvent), // writes that fail or get stuck, then a queue overflow
                () -> subscriber.close(CloseReason.CLIENT_GONE), // the transport saw the client leave
                () -> subscriber.close(CloseReason.CLIENT_CLOSED), // and its close callback fired too
                () -> hub.closeAll(CloseReason.SHUTDOWN),
                () -> {
                    now.addAndGet((tokenExpires ? TOKEN_LIFETIME : WRITE_TIMEOUT).toNanos() + 1);
                    ticker.tick(); // the token's expiry, or the write deadline
                });
        List<Throwable> thrown = AllAtOnce.run(sides, Duration.ofSeconds(5));
        assertTrue(drain.join(Duration.ofSeconds(5)), "round " + round + ": the drain loop ended");

        String where = "round " + round + " (" + (writesFail ? "writes fail" : "writes stuck")
                + (tokenExpires ? ", token expires" : "") + "): ";
        assertEquals(List.of(), thrown, where + "no side threw");
        assertEquals(1, sink.finishes.get(), where + "one final write");
        assertEquals(
                1,
                Arrays.stream(CloseReason.values())
                        .mapToLong(reason -> hub.stats().closes(reason))
                        .sum(),
                where + "one close counted");
        assertEquals(0, hub.stats().closes(CloseReason.ERROR), where + "no close for an error");
        assertEquals(0, hub.stats().subscribers(), where + "the live gauge back at 0, not below");
        assertEquals(0, hub.stats().drainLoops(), where + "no drain loop");
        assertEquals(0, hub.activeTopics(), where + "no topic entry");
        assertTrue(hub.subscribers().isEmpty() && hub.finishing().isEmpty(), where + "nothing left in the hub");
        return subscriber.closeReason();
    }
}
