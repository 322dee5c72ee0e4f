package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.app.WireHub;
import io.wirehub.hub.CloseReason;
import io.wirehub.hub.HubStats;
import io.wirehub.testing.AllAtOnce;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Http;
import io.wirehub.testing.LogWatch;
import io.wirehub.testing.RawStreams;
import io.wirehub.testing.TestHubs;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * Real streams ended from every side at the same moment: the clients leave (a WebSocket close
 * frame or a reset), publishes overflow their one-slot queues (policy {@code disconnect}) and
 * fail on reset sockets, and the server shuts down. Each stream is closed once, for one reason,
 * and nothing fails or stays behind.
 */
class CloseRaceIT {
    private static final int ROUNDS = 3;
    private static final int STREAMS = 200; // per round: half SSE, half WebSocket
    private static final String PAYLOAD = "\"" + "x".repeat(8 * 1024) + "\"";

    @Test
    void streamsClosedByClientsOverflowAndShutdownAtOnceCloseOnceAndLeaveNothing() throws Exception {
        Map<CloseReason, Long> winners = new EnumMap<>(CloseReason.class);
        try (LogWatch errors = LogWatch.attach("io.wirehub", Level.SEVERE)) {
            for (int round = 0; round < ROUNDS; round++) {
                race(round, winners);
            }
            assertEquals(List.of(), errors.records(), "nothing logged as a failure");
        }
        System.out.println("CloseRaceIT: " + ROUNDS + " x " + STREAMS + " streams, closed for: " + winners);
    }

    private static void race(int round, Map<CloseReason, Long> winners) throws Exception {
        WireHub hub = TestHubs.start(Map.of("WH_OVERFLOW_POLICY", "disconnect", "WH_SSE_CHANNEL_BUFFER", "1", "WH_WS_CHANNEL_BUFFER", "1",
                "WH_SOCKET_SEND_BUFFER", "65536", "WH_DRAIN_TIMEOUT", "5s"));
        String base = TestHubs.base(hub);
        HubStats stats = hub.hub().stats();
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < STREAMS; i++) {
                boolean webSocket = i % 2 == 1;
                Socket socket = RawStreams.open(hub.port(), webSocket ? RawStreams.webSocket("topic=race") : RawStreams.sse("topic=race", null), 4096);
                sockets.add(socket);
                assertTrue(RawStreams.readHead(socket).startsWith(webSocket ? "HTTP/1.1 101" : "HTTP/1.1 200"));
            }
            Eventually.await("every stream live", Duration.ofSeconds(10), () -> stats.subscribers() == STREAMS);

            CountDownLatch halfGone = new CountDownLatch(1); // shutdown lands in the middle of the clients' exits
            List<Runnable> sides = List.of(
                    () -> {
                        for (int i = 0; i < sockets.size(); i++) {
                            if (i == sockets.size() / 2) {
                                halfGone.countDown();
                            }
                            if (i % 4 < 2) {
                                RawStreams.closeCleanly(sockets.get(i), i % 2 == 1);
                            } else {
                                RawStreams.reset(sockets.get(i));
                            }
                        }
                    },
                    () -> {
                        try {
                            for (int i = 0; i < 10; i++) {
                                Http.post(base + "/v1/topics/race/events", PAYLOAD); // 201, or 503 once the drain began
                            }
                        } catch (UncheckedIOException e) {
                            // refused: the server has stopped
                        }
                    },
                    () -> {
                        awaitUninterruptibly(halfGone);
                        hub.close();
                    });
            List<Throwable> thrown = AllAtOnce.run(sides, Duration.ofSeconds(30));
            assertEquals(List.of(), thrown, "round " + round + ": no side threw");
            long closes = Arrays.stream(CloseReason.values()).mapToLong(stats::closes).sum();
            assertEquals(STREAMS, closes, "round " + round + ": each stream closed once");
            assertEquals(0, stats.closes(CloseReason.ERROR), "round " + round + ": none for an error");
            assertEquals(0, stats.subscribers(), "round " + round + ": the live gauge back at 0, not below");
            assertEquals(0, stats.drainLoops(), "round " + round + ": no drain loop left");
            assertEquals(0, hub.hub().activeTopics(), "round " + round + ": no topic entry left");
            for (CloseReason reason : CloseReason.values()) {
                if (stats.closes(reason) > 0) {
                    winners.merge(reason, stats.closes(reason), Long::sum);
                }
            }
        } finally {
            hub.close(); // a second close is a no-op
            sockets.forEach(RawStreams::reset);
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
