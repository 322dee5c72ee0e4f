package io.wirehub.store.postgres;

import io.wirehub.store.StoreUnavailableException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/**
 * Sorts a failed statement into "PostgreSQL cannot take work now" (the caller may retry later:
 * {@link StoreUnavailableException}, a 503) and "PostgreSQL refused this work" (retrying the same
 * data fails again). The SQLSTATE classes are PostgreSQL's: 08 connection, 53 insufficient
 * resources, 57 operator intervention (shutdown, terminated backend), 40 transaction rollback
 * (serialization failure, deadlock), 25006 read-only transaction (a failover in progress).
 */
final class SqlFailure {
    private SqlFailure() {}

    /** Whether the work failed because of the database's state, not because of the work itself. */
    static boolean isUnavailable(SQLException e) {
        if (e instanceof SQLTransientConnectionException || e instanceof SQLNonTransientConnectionException) {
            return true; // includes Hikari's "connection is not available, request timed out"
        }
        String state = e.getSQLState();
        return state != null
                && (state.startsWith("08")
                        || state.startsWith("53")
                        || state.startsWith("57")
                        || state.startsWith("40")
                        || state.equals("25006"));
    }

    /**
     * Whether the connection itself broke (closed socket, terminated backend). A pooled connection
     * can be dead without anyone knowing until it is used, so work that broke this way before its
     * commit was sent can safely be tried once more on a fresh connection.
     */
    static boolean isBrokenConnection(SQLException e) {
        if (e instanceof SQLTransientConnectionException) {
            return false; // the pool found no connection in time: asking again would only wait again
        }
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02"));
    }

    static StoreUnavailableException unavailable(String what, SQLException e) {
        return new StoreUnavailableException("PostgreSQL cannot " + what + " now: " + firstLine(e.getMessage()), e);
    }

    /** The store refused the work itself (bad data, a bug): not retryable, and not an outage. */
    static IllegalArgumentException refused(String what, SQLException e) {
        return new IllegalArgumentException(
                "PostgreSQL refused to " + what + ": " + firstLine(e.getMessage()) + " (SQLSTATE " + e.getSQLState()
                        + ")",
                e);
    }

    static RuntimeException of(String what, SQLException e) {
        return isUnavailable(e) ? unavailable(what, e) : refused(what, e);
    }

    static String firstLine(String message) {
        if (message == null) {
            return "no detail";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
