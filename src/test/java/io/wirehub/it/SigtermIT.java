package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Http;
import io.wirehub.testing.MainProcess;
import io.wirehub.testing.Slow;
import io.wirehub.testing.SseClient;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What a supervisor and a load balancer see when wirehub is stopped: /health at 503 for
 * server.shutdown_delay while everything else is still served, then the drain said in two lines,
 * then exit 0.
 */
@Slow
class SigtermIT {
    private static final Pattern LISTENING = Pattern.compile("wirehub listening on http://[^:]+:(\\d+) ");
    private static final Pattern DRAINED =
            Pattern.compile("wirehub: drained in \\d+ ms: (\\d+) stream\\(s\\) ended; exiting");

    @Test
    void sigtermDrainsTheStreamsSaysSoAndExitsZero() throws Exception {
        MainProcess.Running running = startWithDelay("0s");
        try {
            String base = awaitStart(running);
            try (SseClient stream = SseClient.connect(base + "/v1/sse?topic=stop")) {
                assertEquals(200, stream.status());
                awaitStreamsCounted(base, 1);
                running.process().destroy(); // SIGTERM
                assertTrue(
                        running.process().waitFor(30, TimeUnit.SECONDS),
                        "it stopped: " + running.out() + running.err());
                Eventually.await(
                        "the stream ended by the drain", Duration.ofSeconds(5), () -> stream.ended() ? null : "open");
            }
            assertEquals(
                    0,
                    running.process().exitValue(),
                    "a clean drain exits 0, not 143: " + running.out() + running.err());
            String out = running.out();
            assertTrue(out.contains("wirehub: SIGTERM: draining (1 stream(s) open"), out);
            assertEquals("1", streamsDrained(out), out);
            assertFalse(out.contains("server.shutdown_delay"), "no delay was configured: " + out);
        } finally {
            stop(running);
        }
    }

    /**
     * A rolling deploy: after SIGTERM the load balancer must see /health fail while the instance
     * still serves the clients it keeps sending until it notices. The delay is long (60 s) and a
     * second SIGTERM ends it, so a slow machine cannot make the checks miss the window.
     */
    @Test
    void duringTheShutdownDelayHealthIs503WhilePublishesAndNewStreamsAreServedThenTheDrainEndsThem() throws Exception {
        MainProcess.Running running = startWithDelay("60s");
        try {
            String base = awaitStart(running);
            try (SseClient before = SseClient.connect(base + "/v1/sse?topic=leaving")) {
                assertEquals(200, before.status());
                awaitStreamsCounted(base, 1);
                assertEquals(200, Http.get(base + "/health").status(), "ready before the SIGTERM");

                running.process().destroy(); // SIGTERM
                Eventually.await("/health answers 503", Duration.ofSeconds(10), () -> {
                    Http.Response health = Http.get(base + "/health");
                    return health.status() == 503 ? null : health.status() + " " + health.body();
                });
                JsonNode health = Http.get(base + "/health").json();
                assertEquals("DOWN", health.get("status").asText(), health.toString());
                assertTrue(health.get("shutting_down").asBoolean(), health.toString());
                assertFalse(health.get("draining").asBoolean(), "not draining yet: " + health);
                assertEquals(
                        200,
                        Http.get(base + "/health/live").status(),
                        "liveness stays up: the process must not be restarted");

                try (SseClient during = SseClient.connect(base + "/v1/sse?topic=leaving")) {
                    assertEquals(200, during.status(), "a new stream is still served: " + during.errorBody());
                    awaitStreamsCounted(base, 2);
                    long seq = Http.publish(base, "leaving", "still here"); // fails the test unless 201
                    assertEquals(
                            "still here",
                            before.take(1, Duration.ofSeconds(10)).getFirst().data());
                    SseClient.SseEvent received =
                            during.take(1, Duration.ofSeconds(10)).getFirst();
                    assertEquals(
                            "still here", received.data(), "the new stream got the event published during the delay");
                    assertTrue(received.id().endsWith("~" + seq), received.id());
                    assertTrue(running.process().isAlive(), "still running within the delay: " + running.out());
                    assertTrue(
                            running.out()
                                    .contains(
                                            "wirehub: SIGTERM: /health answers 503 for 60000 ms (server.shutdown_delay)"),
                            running.out());

                    running.process().destroy(); // a second SIGTERM: drain now
                    assertTrue(
                            running.process().waitFor(30, TimeUnit.SECONDS),
                            "it stopped: " + running.out() + running.err());
                    for (SseClient stream : List.of(before, during)) {
                        Eventually.await(
                                "the stream ended by the drain",
                                Duration.ofSeconds(5),
                                () -> stream.ended() ? null : "open");
                        assertEquals(
                                2,
                                stream.retries().size(),
                                "retry: at the open and from the drain: " + stream.retries());
                        long drainRetry = stream.retries().get(1);
                        assertTrue(
                                drainRetry >= 1000 && drainRetry <= 5000,
                                "1 to 5 x server.reconnect_retry (1s): " + drainRetry);
                    }
                }
            }
            assertEquals(0, running.process().exitValue(), running.out() + running.err());
            String out = running.out();
            assertTrue(out.contains("wirehub: second SIGTERM: the delay is cut short"), out);
            assertTrue(out.contains("wirehub: SIGTERM: draining (2 stream(s) open"), out);
            assertEquals("2", streamsDrained(out), out);
        } finally {
            stop(running);
        }
    }

    @Test
    void theShutdownDelayEndsByItselfAndTheDrainFollows() throws Exception {
        MainProcess.Running running = startWithDelay("1s");
        try {
            awaitStart(running);
            running.process().destroy(); // SIGTERM, once
            assertTrue(
                    running.process().waitFor(30, TimeUnit.SECONDS),
                    "it stopped after the delay: " + running.out() + running.err());
            assertEquals(0, running.process().exitValue(), running.out() + running.err());
            String out = running.out();
            int announced = out.indexOf("wirehub: SIGTERM: /health answers 503 for 1000 ms");
            int draining = out.indexOf("wirehub: SIGTERM: draining (0 stream(s) open");
            assertTrue(announced >= 0 && draining > announced, "the delay, then the drain: " + out);
            assertFalse(out.contains("the delay is cut short"), out);
        } finally {
            stop(running);
        }
    }

    /** The demo configuration on a free port, with this server.shutdown_delay. */
    private static MainProcess.Running startWithDelay(String delay) throws Exception {
        return MainProcess.start(MainProcess.withDefaultConfig(), Map.of("WH_PORT", "0", "WH_SHUTDOWN_DELAY", delay));
    }

    /** Waits for the start line; returns the base URL. */
    private static String awaitStart(MainProcess.Running running) {
        String[] port = new String[1];
        Eventually.await("the start line", Duration.ofSeconds(30), () -> {
            Matcher m = LISTENING.matcher(running.out());
            if (m.find()) {
                port[0] = m.group(1);
                return null;
            }
            return running.out() + running.err();
        });
        return "http://127.0.0.1:" + port[0];
    }

    /** The server counts a stream once its headers are out: the client may see them first. */
    private static void awaitStreamsCounted(String base, int streams) {
        Eventually.await(
                streams + " stream(s) counted",
                Duration.ofSeconds(5),
                () -> Http.stats(base).get("subscribers").get("total").asInt() == streams ? null : "not yet");
    }

    private static String streamsDrained(String out) {
        Matcher drained = DRAINED.matcher(out);
        assertNotNull(drained.find() ? drained.group() : null, out);
        return drained.group(1);
    }

    private static void stop(MainProcess.Running running) throws Exception {
        running.process().destroyForcibly().waitFor();
        Files.deleteIfExists(running.outFile());
        Files.deleteIfExists(running.errFile());
    }
}
