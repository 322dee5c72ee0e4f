package io.wirehub.app;

import io.wirehub.config.Settings;
import java.io.PrintStream;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * The lines wirehub prints for its operator: where it listens, the drain, why it cannot start.
 * Printed, not logged, so that no {@code log.level} hides them (supervisors and scripts wait for
 * the start line). Under {@code log.format: json} each is a JSON line like the log's records, so
 * that a collector reading the process's output meets one format; the text is the same.
 */
final class Console {
    /** Before the settings are read: a refused command line or configuration is plain text. */
    static final Console PLAIN = new Console(null);

    private final JsonLogFormatter json; // null: plain lines

    private Console(JsonLogFormatter json) {
        this.json = json;
    }

    static Console of(Settings.Log log) {
        return log.json() ? new Console(new JsonLogFormatter()) : PLAIN;
    }

    /** On stdout, level INFO in JSON. */
    void say(Class<?> from, String line) {
        print(System.out, Level.INFO, from, line);
    }

    /** On stderr, level ERROR in JSON. */
    void fail(Class<?> from, String line) {
        print(System.err, Level.SEVERE, from, line);
    }

    private void print(PrintStream stream, Level level, Class<?> from, String line) {
        if (json == null) {
            stream.println(line);
            return;
        }
        LogRecord record = new LogRecord(level, line);
        record.setLoggerName(from.getName());
        stream.print(json.format(record));
        stream.flush();
    }
}
