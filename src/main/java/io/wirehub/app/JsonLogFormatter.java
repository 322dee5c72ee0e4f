package io.wirehub.app;

import io.wirehub.event.JsonStrings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * {@code log.format: json}: one JSON object per line, for a log collector. Fields: {@code time}
 * (UTC, ISO-8601, milliseconds), {@code level} ({@code ERROR}, {@code WARNING}, {@code INFO},
 * {@code DEBUG}, {@code TRACE}: the names of {@code log.level}, which collectors recognise, where
 * java.util.logging says SEVERE or FINE), {@code logger}, {@code thread} (when known),
 * {@code message}, and with an exception {@code exception} (its class and message) and
 * {@code stack} (the whole trace, causes included). A line break in a message or a trace stays
 * escaped inside its string, so a record is always exactly one line.
 */
// NOTE: the field names and level names are public: operators' collectors and queries parse them.
public final class JsonLogFormatter extends Formatter {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);

    @Override
    public String format(LogRecord record) {
        StringBuilder line = new StringBuilder(256);
        line.append('{');
        field(line, "time", TIME.format(record.getInstant()));
        field(line, "level", levelName(record.getLevel()));
        field(line, "logger", record.getLoggerName() == null ? "" : record.getLoggerName());
        // The handlers write on the thread that logs; a record passed on later (BindFailure's) has none here.
        Thread current = Thread.currentThread();
        if (record.getLongThreadID() == current.threadId() && !current.getName().isEmpty()) {
            field(line, "thread", current.getName());
        }
        String message = formatMessage(record);
        field(line, "message", message == null ? "" : message);
        Throwable thrown = record.getThrown();
        if (thrown != null) {
            field(line, "exception", thrown.toString());
            StringWriter stack = new StringWriter();
            thrown.printStackTrace(new PrintWriter(stack));
            field(line, "stack", stack.toString().stripTrailing());
        }
        return line.append("}\n").toString();
    }

    static String levelName(Level level) {
        int value = level.intValue();
        if (value >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (value >= Level.WARNING.intValue()) {
            return "WARNING";
        }
        if (value >= Level.INFO.intValue()) {
            return "INFO";
        }
        return value >= Level.FINE.intValue() ? "DEBUG" : "TRACE"; // CONFIG shows from log.level debug on
    }

    private static void field(StringBuilder line, String name, String value) {
        if (line.length() > 1) {
            line.append(',');
        }
        line.append('"').append(name).append("\":");
        JsonStrings.quote(line, value);
    }
}
