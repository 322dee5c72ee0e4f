package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.app.WireHub;
import io.wirehub.hub.CloseReason;
import io.wirehub.hub.HubStats;
import io.wirehub.testing.AllAtOnce;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Http;
import io.wirehub.testing.Load;
import io.wirehub.testing.LogWatch;
import io.wirehub.testing.RawStreams;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.Tokens;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * Real streams ended from every side at the same moment: the clients leave (a WebSocket close
 * frame or a reset), publishes overflow their one-slot queues (policy {@code disconnect}) and
 * fail on reset sockets, the streams' token expires ({@code auth.mode: jwt}), and the server shuts
 * down. Each stream is closed once, for one reason, and nothing fails or stays behind.
 */
@Load
class CloseRaceIT {
    private static final int ROUNDS = Integer.getInteger("wirehub.race.rounds", 3);
    private static final int STREAMS = 200; // per round: half SSE, half WebSocket
    private static final String PAYLOAD = "\"" + "x".repeat(8 * 1024) + "\"";
    private static final byte[] SECRET = "a-test-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);
    // In every third round the streams' token expires, and the race is set for that moment. Long
    // enough to open every stream first: 200 took 3-4 s on a 2-core machine at load 24.
    private static final Duration TOKEN_LIFETIME = Duration.ofSeconds(6);

    @Test
    void streamsClosedByClientsOverflowAndShutdownAtOnceCloseOnceAndLeaveNothing() throws Exception {
        Map<CloseReason, Long> winners = new EnumMap<>(CloseReason.class);
        Map<CloseReason, Long> winnersWithExpiry = new EnumMap<>(CloseReason.class);
        warmUp();
        try (LogWatch errors = LogWatch.attach("io.wirehub", Level.SEVERE)) {
            for (int round = 0; round < ROUNDS; round++) {
                race(round, round % 3 == 1 ? winnersWithExpiry : winners);
            }
            assertEquals(List.of(), errors.records(), "nothing logged as a failure");
        }
        System.out.println("CloseRaceIT: " + ROUNDS + " x " + STREAMS + " streams, closed for: " + winners
                + "; in the rounds where their token expired at the race: " + winnersWithExpiry);
    }

    private static Map<String, String> settings() {
        return Map.of(
                "WH_OVERFLOW_POLICY",
                "disconnect",
                "WH_SSE_CHANNEL_BUFFER",
                "1",
                "WH_WS_CHANNEL_BUFFER",
                "1",
                "WH_SOCKET_SEND_BUFFER",
                "65536",
                "WH_DRAIN_TIMEOUT",
                "5s",
                "WH_AUTH_MODE",
                "jwt",
                "WH_AUTH_JWT_SECRET",
                new String(SECRET, StandardCharsets.UTF_8),
                "WH_AUTH_JWT_CLOCK_SKEW",
                "0s",
                "WH_HEARTBEAT_INTERVAL",
                "200ms", // the ticker every 50 ms: the expiry lands within 50 ms of the token's exp
                "WH_WS_PONG_TIMEOUT",
                "60s"); // these WebSocket clients never answer a ping: they must last until the race
    }

    /**
     * A first SSE and WebSocket stream through token verification on a throwaway instance: a cold
     * JVM on a busy machine took seconds for them, past the race's short-lived tokens.
     */
    private static void warmUp() throws Exception {
        try (WireHub hub = TestHubs.start(settings())) {
            String token = Tokens.hs256(
                    SECRET,
                    Tokens.claims(
                                    "warm-up",
                                    List.of("race"),
                                    List.of(),
                                    Instant.now().plusSeconds(3600))
                            .build());
            for (boolean webSocket : new boolean[] {false, true}) {
                String query = "topic=race&access_token=" + token;
                try (Socket socket = RawStreams.open(
                        hub.port(), webSocket ? RawStreams.webSocket(query) : RawStreams.sse(query, null))) {
                    RawStreams.readHead(socket);
                }
            }
        }
    }

    private static void race(int round, Map<CloseReason, Long> winners) throws Exception {
        WireHub hub = TestHubs.start(settings());
        String base = TestHubs.base(hub);
        HubStats stats = hub.hub().stats();
        boolean tokenExpires = round % 3 == 1; // see the caller
        // A JWT's exp is in whole seconds: take a whole second, so the test knows the moment.
        Instant expires = Instant.now()
                .plus(tokenExpires ? TOKEN_LIFETIME : Duration.ofHours(1))
                .truncatedTo(ChronoUnit.SECONDS);
        long expiresAtNanos =
                System.nanoTime() + Duration.between(Instant.now(), expires).toNanos();
        String reader = Tokens.hs256(
                SECRET,
                Tokens.claims("reader", List.of("race"), List.of(), expires).build());
        String publisher = Tokens.hs256(
                SECRET,
                Tokens.claims("publisher", List.of(), List.of("race"), expires.plusSeconds(3600))
                        .build());
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < STREAMS; i++) {
                boolean webSocket = i % 2 == 1;
                String query = "topic=race&access_token=" + reader;
                Socket socket = RawStreams.open(
                        hub.port(), webSocket ? RawStreams.webSocket(query) : RawStreams.sse(query, null), 4096);
                sockets.add(socket);
                String head = RawStreams.readHead(socket);
                assertTrue(
                        head.startsWith(webSocket ? "HTTP/1.1 101" : "HTTP/1.1 200"),
                        "round " + round + ", stream " + i + ": " + head);
            }
            Eventually.await(
                    "every stream live",
                    Duration.ofSeconds(10),
                    () -> stats.subscribers() == STREAMS
                            ? null
                            : stats.subscribers() + " live, closed: " + TestHubs.closes(hub));
            // The other sides start at the expiry; the ticker's pass that closes the expired streams comes within its
            // period after.
            long raceAtNanos = tokenExpires ? expiresAtNanos : System.nanoTime();
            assertTrue(
                    System.nanoTime() < raceAtNanos || !tokenExpires,
                    "round " + round + ": every stream opened before its token expires");

            CountDownLatch halfGone = new CountDownLatch(1); // shutdown lands in the middle of the clients' exits
            List<Runnable> sides = List.of(
                    () -> {
                        LockSupport.parkNanos(raceAtNanos - System.nanoTime());
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
                        LockSupport.parkNanos(raceAtNanos - System.nanoTime());
                        try {
                            for (int i = 0; i < 10; i++) {
                                Http.send(HttpRequest.newBuilder(URI.create(base + "/v1/topics/race/events"))
                                        .header("Authorization", "Bearer " + publisher)
                                        .POST(HttpRequest.BodyPublishers.ofString(PAYLOAD))
                                        .build()); // 201, or 503 once the drain began
                            }
                        } catch (UncheckedIOException e) {
                            // refused: the server has stopped
                        }
                    },
                    () -> {
                        awaitUninterruptibly(halfGone);
                        hub.close();
                    });
            // In a round whose token expires, that is the fourth side: the server's ticker closes each stream still
            // open then.
            List<Throwable> thrown = AllAtOnce.run(sides, Duration.ofSeconds(30));
            assertEquals(List.of(), thrown, "round " + round + ": no side threw");
            long closes =
                    Arrays.stream(CloseReason.values()).mapToLong(stats::closes).sum();
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
