package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.app.Main;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Http;
import io.wirehub.testing.Slow;
import io.wirehub.testing.StalledSseClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The real process, configured by real environment variables, as an operator would run it. */
@Slow
class ConfigFromEnvironmentIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Pattern LISTENING = Pattern.compile("wirehub listening on http://[^:]+:(\\d+)");

    /**
     * Observes the queue itself: a client that never reads, a first event too large for the
     * socket buffers (the stream's thread takes it and blocks writing it), then small events one
     * by one. They can only wait in the queue: with {@code WH_SSE_CHANNEL_BUFFER=8} the 9th of them
     * overflows, and under the disconnect policy closes the stream. With the default (64) it would
     * not.
     */
    @Test
    void whSseChannelBufferSetsTheSubscriberQueueCapacity() throws Exception {
        Process process = launch(Map.of(
                "WH_SSE_CHANNEL_BUFFER",
                "8",
                "WH_OVERFLOW_POLICY",
                "disconnect",
                "WH_SOCKET_SEND_BUFFER",
                "4096",
                "WH_MAX_EVENT_BYTES",
                "1048576",
                // no heartbeat nor write deadline gets in the way of the count
                "WH_HEARTBEAT_INTERVAL",
                "1h",
                "WH_WRITE_TIMEOUT",
                "1h",
                "WH_PORT",
                "0",
                "WH_HOST",
                "127.0.0.1"));
        try {
            int port = port(process);
            String base = "http://127.0.0.1:" + port;
            try (StalledSseClient stalled = new StalledSseClient(port, "/v1/sse?topic=capacity")) {
                Eventually.await(
                        "the stream open (its headers waiting unread)", WAIT, () -> stalled.bytesWaiting() > 0);
                int opened = stalled.bytesWaiting();
                Http.publish(base, "capacity", "x".repeat(512 * 1024));
                Eventually.await("the large event being written", WAIT, () -> stalled.bytesWaiting() > opened + 1000);

                for (int i = 1; i <= 8; i++) {
                    Http.publish(base, "capacity", "queued " + i);
                }
                assertEquals(0, Http.stats(base).get("overflows").asInt(), "8 events fit in the queue");
                Http.publish(base, "capacity", "one too many");
                JsonNode stats = Http.stats(base);
                assertEquals(1, stats.get("overflows").asInt(), "the 9th queued event overflows: " + stats);
                assertEquals(
                        1, stats.get("closes").get("overflow").asInt(), "and closes the stream (disconnect policy)");
            }
        } finally {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Reads the process's output until it says where it listens. */
    private static int port(Process process) throws IOException {
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            Matcher matcher = LISTENING.matcher(line);
            if (matcher.find()) {
                return Integer.parseInt(matcher.group(1));
            }
        }
        throw new AssertionError("the server never said where it listens");
    }

    @Test
    void anUnknownWhVariableIsWarnedWithTheNearestKnownOneAndTheServerStarts() throws Exception {
        Process process = launch(Map.of("WH_HEARTBEAT", "1s", "WH_PORT", "0", "WH_HOST", "127.0.0.1"));
        StringBuffer err = new StringBuffer();
        Thread.ofVirtual()
                .start(() -> process.errorReader(StandardCharsets.UTF_8).lines().forEach(line -> err.append(line)
                        .append('\n')));
        try {
            assertTrue(port(process) > 0, "it starts");
            String warning =
                    "WARNING io.wirehub.config.SettingsLoader: WH_HEARTBEAT is not a wirehub variable and is ignored;"
                            + " did you mean WH_HEARTBEAT_INTERVAL?";
            Eventually.await(
                    "the warning: " + warning, WAIT, () -> err.toString().contains(warning));
        } finally {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void negativeChannelBufferRefusesToStartNamingTheKey() throws Exception {
        assertRefused(
                Map.of("WH_SSE_CHANNEL_BUFFER", "-1"),
                "WH_SSE_CHANNEL_BUFFER (server.sse_channel_buffer): '-1' is not valid");
    }

    @Test
    void nonNumericChannelBufferRefusesToStartNamingTheKey() throws Exception {
        assertRefused(
                Map.of("WH_SSE_CHANNEL_BUFFER", "abc"),
                "WH_SSE_CHANNEL_BUFFER (server.sse_channel_buffer): 'abc' is not valid");
    }

    @Test
    void everyProblemIsListedAtOnce() throws Exception {
        String err = assertRefused(
                Map.of("WH_WS_CHANNEL_BUFFER", "0", "WH_HEARTBEAT_INTERVAL", "soon", "WH_STORE_TYPE", "mongo"),
                "WH_WS_CHANNEL_BUFFER");
        assertTrue(err.contains("WH_HEARTBEAT_INTERVAL") && err.contains("WH_STORE_TYPE"), err);
        assertTrue(err.contains("3 problem(s)"), err);
    }

    private static String assertRefused(Map<String, String> env, String expected) throws Exception {
        Process process = launch(env);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "exits by itself");
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, process.exitValue(), err);
        assertTrue(err.contains(expected), err);
        assertTrue(err.contains("refusing to start"), err);
        return err;
    }

    private static Process launch(Map<String, String> env) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "--config",
                Path.of("config/application.yaml").toAbsolutePath().toString());
        builder.environment().keySet().removeIf(name -> name.startsWith("WH_"));
        builder.environment().putAll(env);
        return builder.start();
    }
}
