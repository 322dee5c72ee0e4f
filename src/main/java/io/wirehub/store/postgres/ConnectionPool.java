package io.wirehub.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.wirehub.config.ConfigKey;
import io.wirehub.config.Settings;
import io.wirehub.store.StoreUnavailableException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The HikariCP pool behind the store, tuned for a server that must answer quickly when
 * PostgreSQL is gone: a publish waits at most {@link #CONNECTION_TIMEOUT} for a connection, then
 * gets a 503, and the pool reconnects on its own when PostgreSQL is back.
 *
 * <p>Also turns a failed start-up into one line an operator can act on: where it tried (the URL
 * without its query string, which may hold a password), which setting to check, and the cause.
 */
final class ConnectionPool {
    /** Set by tests: Hikari then logs the stack of whoever holds a connection longer than this. */
    static final String LEAK_DETECTION_PROPERTY = "wirehub.test.leakDetection";
    // Long enough for a pool under load to hand a connection over, short enough that a publish
    // during an outage fails in seconds rather than hanging on its client.
    static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration LEAK_THRESHOLD = Duration.ofSeconds(2); // Hikari's minimum
    // A statement blocked this long on a silent network (no RST, no FIN) is given up.
    private static final int SOCKET_TIMEOUT_SECONDS = 30;

    private ConnectionPool() {}

    static HikariDataSource open(Settings.Postgres settings) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("wirehub-pg-" + settings.schema());
        config.setJdbcUrl(settings.url());
        config.setUsername(settings.user());
        config.setPassword(settings.password());
        config.setMaximumPoolSize(settings.poolSize());
        config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
        config.setValidationTimeout(Duration.ofSeconds(1).toMillis());
        // Start without a connection; the store's first use (the schema set-up) reports the failure
        // in our words. With a positive value Hikari would log its own stack trace first.
        config.setInitializationFailTimeout(-1);
        // Defaults the URL may override: bounded connects, and a name that shows in pg_stat_activity.
        config.addDataSourceProperty("connectTimeout", String.valueOf(CONNECTION_TIMEOUT.toSeconds()));
        config.addDataSourceProperty("socketTimeout", String.valueOf(SOCKET_TIMEOUT_SECONDS));
        config.addDataSourceProperty("tcpKeepAlive", "true");
        config.addDataSourceProperty("ApplicationName", applicationName(settings.schema()));
        if (System.getProperty(LEAK_DETECTION_PROPERTY) != null) {
            config.setLeakDetectionThreshold(LEAK_THRESHOLD.toMillis());
        }
        return new HikariDataSource(config);
    }

    /** How the store's connections name themselves to PostgreSQL ({@code application_name}). */
    static String applicationName(String schema) {
        return "wirehub/" + schema;
    }

    /** The one line Main prints when the store cannot start. Never holds the password. */
    static StoreUnavailableException unreachable(Settings.Postgres settings, SQLException e) {
        String where = "PostgreSQL at " + redacted(settings.url());
        SQLException deepest = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                deepest = sql;
            }
        }
        String state = deepest.getSQLState() == null ? "" : deepest.getSQLState();
        if (state.startsWith("28")) {
            return new StoreUnavailableException(
                    "cannot log in to " + where + " as '" + settings.user() + "' ("
                            + ConfigKey.POSTGRES_USER.key() + " / " + ConfigKey.POSTGRES_USER.env() + ", "
                            + ConfigKey.POSTGRES_PASSWORD.key() + " / " + ConfigKey.POSTGRES_PASSWORD.env() + "): "
                            + SqlFailure.firstLine(deepest.getMessage()),
                    e);
        }
        return new StoreUnavailableException(
                "cannot reach " + where + " (" + ConfigKey.POSTGRES_URL.key() + " / " + ConfigKey.POSTGRES_URL.env()
                        + "): " + cause(e),
                e);
    }

    static String redacted(String url) {
        int query = url.indexOf('?');
        String base = query < 0 ? url : url.substring(0, query) + "?...";
        return base.replaceFirst("//[^/@]*@", "//***@");
    }

    /** The deepest cause worth naming, in a few words. */
    private static String cause(Throwable e) {
        String detail = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            switch (t) {
                case ConnectException c -> {
                    return "connection refused";
                }
                case NoRouteToHostException c -> {
                    return "no route to host";
                }
                case UnknownHostException u -> {
                    return "unknown host " + u.getMessage();
                }
                case SocketTimeoutException s -> {
                    return "no answer within " + CONNECTION_TIMEOUT.toSeconds() + "s";
                }
                case SQLException sql
                when sql.getSQLState() != null && !sql.getSQLState().startsWith("08") -> {
                    detail = SqlFailure.firstLine(sql.getMessage()); // e.g. database "x" does not exist
                }
                default -> {
                    if (detail == null) {
                        detail = SqlFailure.firstLine(t.getMessage());
                    }
                }
            }
        }
        return detail;
    }
}
