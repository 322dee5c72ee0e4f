package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.app.Main;
import io.wirehub.testing.Http;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The real process, configured by real environment variables, as an operator would run it. */
class ConfigFromEnvironmentIT {
    private static final Pattern LISTENING = Pattern.compile("wirehub listening on http://[^:]+:(\\d+)");

    @Test
    void whSseChannelBufferSetsTheSubscriberQueueCapacity() throws Exception {
        Process process = launch(Map.of("WH_SSE_CHANNEL_BUFFER", "8", "WH_PORT", "0", "WH_HOST", "127.0.0.1"));
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            int port = -1;
            String line;
            while (port < 0 && (line = out.readLine()) != null) {
                Matcher matcher = LISTENING.matcher(line);
                if (matcher.find()) {
                    port = Integer.parseInt(matcher.group(1));
                }
            }
            assertTrue(port > 0, "the server said where it listens");
            assertEquals(8, Http.stats("http://127.0.0.1:" + port).get("queue_capacity").get("sse").asInt());
            assertEquals(64, Http.stats("http://127.0.0.1:" + port).get("queue_capacity").get("ws").asInt());
        } finally {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void negativeChannelBufferRefusesToStartNamingTheKey() throws Exception {
        assertRefused(Map.of("WH_SSE_CHANNEL_BUFFER", "-1"), "WH_SSE_CHANNEL_BUFFER (server.sse_channel_buffer): '-1' is not valid");
    }

    @Test
    void nonNumericChannelBufferRefusesToStartNamingTheKey() throws Exception {
        assertRefused(Map.of("WH_SSE_CHANNEL_BUFFER", "abc"), "WH_SSE_CHANNEL_BUFFER (server.sse_channel_buffer): 'abc' is not valid");
    }

    @Test
    void everyProblemIsListedAtOnce() throws Exception {
        String err = assertRefused(Map.of("WH_WS_CHANNEL_BUFFER", "0", "WH_HEARTBEAT_INTERVAL", "soon", "WH_STORE_TYPE", "mongo"),
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
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--config", Path.of("config/application.yaml").toAbsolutePath().toString());
        builder.environment().keySet().removeIf(name -> name.startsWith("WH_"));
        builder.environment().putAll(env);
        return builder.start();
    }
}
