package io.wirehub.app;

import io.wirehub.config.ConfigKey;
import io.wirehub.config.Settings;
import java.net.BindException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Why the web server did not start, in one line an operator can act on. Helidon 4.2.3 does not
 * throw when a listener cannot bind: it logs the exception (some 30 lines) and returns from
 * {@code start()} with the server stopped, so a supervisor saw a clean exit. While the server
 * starts, this holds back Helidon's error records; if the server then runs, they are logged as they
 * were, else {@link #describe} names the port and the key that sets it.
 */
final class BindFailure {
    // Helidon's logger is one for the JVM: instances started at once (tests do) take turns, else one
    // would put back a filter another installed, and that filter would stay.
    private static final ReentrantLock WATCHING = new ReentrantLock();
    private static final Pattern LISTENER_PORT =
            Pattern.compile(":(\\d+)\\s*$"); // "Failed to start listener: /0.0.0.0:8080"

    // When one listener cannot bind, Helidon closes those it had started, and their accept loops may
    // log the close as SEVERE, with a stack trace, after start() has returned (a race in Helidon 4.5,
    // seen once in StartFailureIT): a socket we closed is no error, so that record is dropped always.
    // Held strongly: java.util.logging forgets a logger (and its filter) nobody references.
    @SuppressWarnings("UnusedVariable") // never read: it is held so that the logger keeps its filter
    private static final Logger LISTENER = quietOnClosedSocket(Logger.getLogger("io.helidon.webserver.ServerListener"));

    // Held strongly: java.util.logging forgets a logger (and its filter) nobody references.
    private final Logger logger = Logger.getLogger("io.helidon.webserver.LoomServer");
    private final Filter previous = logger.getFilter();
    private final List<LogRecord> held = new ArrayList<>();

    private BindFailure() {
        logger.setFilter(record -> {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                synchronized (held) { // no I/O inside: the records are only collected
                    held.add(record);
                }
                return false;
            }
            return previous == null || previous.isLoggable(record);
        });
    }

    private static Logger quietOnClosedSocket(Logger listener) {
        Filter previous = listener.getFilter();
        listener.setFilter(record -> !(record.getThrown() instanceof java.nio.channels.ClosedChannelException)
                && (previous == null || previous.isLoggable(record)));
        return listener;
    }

    /** Starts holding back Helidon's start-up errors; release once start() has returned. */
    static BindFailure watch() {
        WATCHING.lock();
        try {
            return new BindFailure();
        } catch (RuntimeException e) {
            WATCHING.unlock();
            throw e;
        }
    }

    /** Stops holding back; when the server runs after all, logs what was held back. */
    void release(boolean running) {
        try {
            logger.setFilter(previous);
        } finally {
            WATCHING.unlock();
        }
        if (running) {
            heldRecords().forEach(logger::log);
        }
    }

    /** E.g. "port 8080 is in use (server.port / WH_PORT)". */
    String describe(Settings settings) {
        for (LogRecord record : heldRecords()) {
            if (record.getThrown() == null) {
                continue;
            }
            Matcher matcher = LISTENER_PORT.matcher(String.valueOf(record.getMessage()));
            int port = matcher.find()
                    ? Integer.parseInt(matcher.group(1))
                    : settings.server().port();
            boolean management = settings.server().hasManagementPort()
                    && port == settings.server().managementPort()
                    && port != settings.server().port();
            ConfigKey portKey = management ? ConfigKey.MANAGEMENT_PORT : ConfigKey.PORT;
            ConfigKey hostKey = management ? ConfigKey.MANAGEMENT_HOST : ConfigKey.HOST;
            String host = management
                    ? settings.server().managementBindHost()
                    : settings.server().host();
            Throwable cause = rootCause(record.getThrown());
            if (cause instanceof BindException
                    && String.valueOf(cause.getMessage()).contains("in use")) {
                return "port " + port + " is in use (" + portKey.key() + " / " + portKey.env() + ")";
            }
            return "cannot listen on " + host + ":" + port + ": " + cause.getMessage() + " (" + hostKey.key() + ", "
                    + portKey.key() + " / " + hostKey.env() + ", " + portKey.env() + ")";
        }
        return "the web server did not start";
    }

    private List<LogRecord> heldRecords() {
        synchronized (held) {
            return List.copyOf(held);
        }
    }

    @SuppressWarnings("ReferenceEquality") // a cause that is the very same object ends the walk
    private static Throwable rootCause(Throwable thrown) {
        Throwable cause = thrown;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
