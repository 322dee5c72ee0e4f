package io.wirehub.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.testing.Http;
import java.io.IOException;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class JsonLogFormatterTest {
    private final JsonLogFormatter formatter = new JsonLogFormatter();

    @Test
    void anExceptionComesWithItsClassMessageAndWholeStackOnTheRecordsOneLine() throws IOException {
        LogRecord record = new LogRecord(Level.SEVERE, "storing a group failed:\n\"quoted\" and a tab\t");
        record.setLoggerName("io.wirehub.store.postgres.GroupCommitWriter");
        record.setInstant(Instant.parse("2026-12-06T10:15:30.123456Z"));
        record.setThrown(new IllegalStateException("pool closed", new java.io.IOException("connection reset")));
        String line = formatter.format(record);

        assertTrue(line.endsWith("}\n") && line.indexOf('\n') == line.length() - 1, "one line: " + line);
        JsonNode json = Http.JSON.readTree(line);
        assertEquals("2026-12-06T10:15:30.123Z", json.get("time").asText());
        assertEquals("ERROR", json.get("level").asText());
        assertEquals(
                "io.wirehub.store.postgres.GroupCommitWriter",
                json.get("logger").asText());
        assertEquals(Thread.currentThread().getName(), json.get("thread").asText());
        assertEquals(
                "storing a group failed:\n\"quoted\" and a tab\t",
                json.get("message").asText());
        assertEquals(
                "java.lang.IllegalStateException: pool closed",
                json.get("exception").asText());
        String stack = json.get("stack").asText();
        assertTrue(
                stack.startsWith(
                        "java.lang.IllegalStateException: pool closed\n\tat io.wirehub.app.JsonLogFormatterTest."),
                stack);
        assertTrue(stack.contains("Caused by: java.io.IOException: connection reset"), stack);
    }

    @Test
    void levelsAreNamedAsLogLevelNamesThemAndARecordWithoutExceptionHasNoStack() throws IOException {
        assertEquals("WARNING", JsonLogFormatter.levelName(Level.WARNING));
        assertEquals("INFO", JsonLogFormatter.levelName(Level.INFO));
        assertEquals("DEBUG", JsonLogFormatter.levelName(Level.CONFIG)); // shown from log.level debug on
        assertEquals("DEBUG", JsonLogFormatter.levelName(Level.FINE));
        assertEquals("TRACE", JsonLogFormatter.levelName(Level.FINER));
        assertEquals("TRACE", JsonLogFormatter.levelName(Level.FINEST));
        JsonNode json = Http.JSON.readTree(formatter.format(new LogRecord(Level.FINE, "plain")));
        assertEquals("DEBUG", json.get("level").asText());
        assertFalse(json.has("exception") || json.has("stack"), json.toString());
    }
}
