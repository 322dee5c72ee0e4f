package io.wirehub.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records what wirehub logs at a level or above while attached (System.Logger goes to
 * java.util.logging here), so a test can say "and nothing failed on the way".
 */
public final class LogWatch extends Handler implements AutoCloseable {
    private final List<String> records = new CopyOnWriteArrayList<>();
    private final Logger logger;
    private final Level level;

    private LogWatch(String loggerName, Level level) {
        this.logger = Logger.getLogger(loggerName);
        this.level = level;
        logger.addHandler(this);
    }

    /** Watches {@code loggerName} and the loggers below it for records at {@code level} or above. */
    public static LogWatch attach(String loggerName, Level level) {
        return new LogWatch(loggerName, level);
    }

    public List<String> records() {
        return List.copyOf(records);
    }

    @Override
    public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= level.intValue()) {
            records.add(record.getLoggerName() + ": " + record.getMessage()
                    + (record.getThrown() == null ? "" : " " + record.getThrown()));
        }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
