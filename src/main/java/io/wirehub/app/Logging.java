package io.wirehub.app;

import io.wirehub.config.Settings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Sets java.util.logging, wirehub's one log (System.Logger, Helidon, and HikariCP and Jedis through
 * SLF4J all end there), as {@code log.level}, {@code log.levels} and {@code log.format} say. It
 * works on top of the configuration Helidon read at start: the jar's {@code logging.properties},
 * or one in the working directory, or the file of {@code -Djava.util.logging.config.file}.
 *
 * <p>{@code log.level} is a floor: a logger configured below it is raised to it, and one configured
 * above it keeps its level, so the libraries the configuration quiets (io.helidon and
 * com.zaxxer.hikari at warning: their info is start-up chatter) stay quiet at {@code debug}.
 * {@code log.levels} sets a logger, and every configured logger below it, exactly, above or below
 * the floor. Levels go in the configuration's properties, not only on the loggers there are now,
 * so a logger created later (java.util.logging creates them lazily) gets its level too.
 */
final class Logging {
    private Logging() {}

    static void apply(Settings.Log log) {
        LogManager manager = LogManager.getLogManager();
        Level floor = level(log.level());
        Properties set = new Properties();
        set.setProperty(".level", floor.getName());
        log.levels()
                .forEach((logger, level) ->
                        set.setProperty(logger + ".level", level(level).getName()));
        // "<handler class>.level" is a handler's level, not a logger's: the handlers keep theirs.
        Set<String> handlers = Arrays.stream(
                        String.valueOf(manager.getProperty("handlers")).split("[,\\s]+"))
                .map(handler -> handler + ".level")
                .collect(Collectors.toSet());
        try {
            manager.updateConfiguration(asStream(set), key -> (configured, given) -> {
                if (given != null || configured == null || !key.endsWith(".level") || handlers.contains(key)) {
                    return given != null ? given : configured;
                }
                return levelFor(key.substring(0, key.length() - ".level".length()), configured, floor, log.levels());
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e); // from an in-memory stream: does not happen
        }
        if (log.json()) {
            for (Handler handler : Logger.getLogger("").getHandlers()) {
                handler.setFormatter(new JsonLogFormatter());
            }
        }
    }

    /** The level of a logger the configuration names: as log.levels says for a logger above it, else at least the floor. */
    private static String levelFor(String logger, String configured, Level floor, Map<String, String> levels) {
        String above = null;
        for (String name : levels.keySet()) {
            if (logger.startsWith(name + ".") && (above == null || name.length() > above.length())) {
                above = name;
            }
        }
        if (above != null) {
            return level(levels.get(above)).getName();
        }
        try {
            return Level.parse(configured.strip()).intValue() < floor.intValue() ? floor.getName() : configured;
        } catch (IllegalArgumentException e) {
            return configured; // not a level: java.util.logging ignores it as before
        }
    }

    /** The names of log.level (validated by the settings) in java.util.logging's terms, as System.Logger maps them. */
    static Level level(String name) {
        return switch (name) {
            case "off" -> Level.OFF;
            case "error" -> Level.SEVERE;
            case "warning" -> Level.WARNING;
            case "info" -> Level.INFO;
            case "debug" -> Level.FINE;
            case "trace" -> Level.FINEST;
            default -> throw new IllegalArgumentException("not a log level: " + name);
        };
    }

    private static ByteArrayInputStream asStream(Properties properties) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        properties.store(bytes, null);
        return new ByteArrayInputStream(bytes.toByteArray());
    }
}
