package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.Http;
import io.wirehub.testing.MainProcess;
import io.wirehub.testing.Slow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator's log collector reads from a real wirehub process: log.format, log.level, log.levels. */
@Slow
class LogFormatIT {
    private static final Pattern LISTENING = Pattern.compile("wirehub listening on http://[^:]+:\\d+ ");
    private static final Set<String> LEVELS = Set.of("ERROR", "WARNING", "INFO", "DEBUG", "TRACE");

    @TempDir
    Path dir;

    @Test
    void jsonFormatWritesEveryLineAsOneObjectWithTimeLevelLoggerAndMessage() throws Exception {
        // WH_HEARTBEAT is not a variable: its warning is a record logged before the server starts.
        Output output = startAndStop(
                MainProcess.withDefaultConfig(),
                Map.of("WH_LOG_FORMAT", "json", "WH_HOST", "127.0.0.1", "WH_PORT", "0", "WH_HEARTBEAT", "1s"));
        List<JsonNode> records = new ArrayList<>();
        for (String line : (output.out + output.err).lines().toList()) {
            JsonNode record = Http.JSON.readTree(line); // throws on a line that is not JSON
            assertTrue(record.isObject(), line);
            Instant.parse(record.path("time").asText()); // throws unless ISO-8601
            assertTrue(LEVELS.contains(record.path("level").asText()), line);
            assertFalse(record.path("logger").asText().isEmpty(), line);
            assertTrue(record.has("message"), line);
            records.add(record);
        }
        assertRecord(
                records,
                "WARNING",
                "io.wirehub.config.SettingsLoader",
                "WH_HEARTBEAT is not a wirehub variable and is ignored; did you mean WH_HEARTBEAT_INTERVAL?");
        assertRecord(records, "WARNING", "io.wirehub.app.WireHub", "auth.mode is none: anyone who reaches this port");
        // The lines a supervisor waits for are JSON too, with the same text.
        assertRecord(records, "INFO", "io.wirehub.app.Main", "wirehub listening on http://127.0.0.1:");
        assertRecord(records, "INFO", "io.wirehub.app.DrainOnSigterm", "wirehub: drained in ");
    }

    @Test
    void recordsBelowLogLevelAreLeftOutAndLogLevelsSetsOneLoggerFromYaml() throws Exception {
        Path config = dir.resolve("wirehub.yaml");
        Files.writeString(config, "log:\n  level: error\n  levels:\n    - io.wirehub.app.WireHub=warning\n");
        Output output = startAndStop(
                List.of("--config", config.toString()),
                Map.of("WH_HOST", "127.0.0.1", "WH_PORT", "0", "WH_HEARTBEAT", "1s"));
        assertTrue(
                output.err.contains("WARNING io.wirehub.app.WireHub: auth.mode is none"),
                "log.levels lets it through: " + output.err);
        assertFalse(output.err.contains("WH_HEARTBEAT"), "a warning below log.level error is left out: " + output.err);
        assertFalse(output.err.contains("INFO io.helidon"), "so is Helidon's info: " + output.err);
        assertTrue(LISTENING.matcher(output.out).find(), "the start line is printed whatever the level: " + output.out);
    }

    private static void assertRecord(List<JsonNode> records, String level, String logger, String message) {
        assertTrue(
                records.stream()
                        .anyMatch(record -> record.path("level").asText().equals(level)
                                && record.path("logger").asText().equals(logger)
                                && record.path("message").asText().contains(message)),
                level + " " + logger + " " + message + " in " + records);
    }

    private record Output(String out, String err) {}

    /** Starts wirehub, waits for its start line, stops it with SIGTERM: then all it wrote is there. */
    private static Output startAndStop(List<String> args, Map<String, String> env)
            throws IOException, InterruptedException {
        MainProcess.Running running = MainProcess.start(args, env);
        try {
            Eventually.await(
                    "the start line",
                    Duration.ofSeconds(30),
                    () -> LISTENING.matcher(running.out()).find() ? null : running.out() + running.err());
            running.process().destroy(); // SIGTERM
            assertTrue(running.process().waitFor(30, TimeUnit.SECONDS), "it stopped: " + running.out() + running.err());
            assertEquals(0, running.process().exitValue(), running.out() + running.err());
            return new Output(running.out(), running.err());
        } finally {
            running.process().destroyForcibly().waitFor();
            Files.deleteIfExists(running.outFile());
            Files.deleteIfExists(running.errFile());
        }
    }
}
