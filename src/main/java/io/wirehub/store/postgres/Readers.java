package io.wirehub.store.postgres;

import io.wirehub.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * The connections everything but the writer may hold at once: the pool size minus one, so the
 * group-commit writer always finds a connection however many replays run. Replays past the
 * permits queue here, in order, instead of timing out inside the pool.
 *
 * <p>A read that finds its pooled connection dead (PostgreSQL restarted, backend terminated) is
 * tried once more on a fresh one: reads change nothing, so a retry is always safe.
 *
 * <p>The health check is a reader too ({@link #answers}), so however often it runs it never takes
 * the writer's connection.
 */
final class Readers {
    // Longer than the pool's own timeout: waiting here means busy, not down; past it, the read is
    // refused as unavailable so a stampede of replays cannot pile up without bound.
    private static final Duration PERMIT_WAIT = Duration.ofSeconds(10);

    private final DataSource pool;
    private final Semaphore permits;
    private volatile long lastAnswerNanos = System.nanoTime(); // when a read last succeeded

    Readers(DataSource pool, int permits) {
        this.pool = pool;
        this.permits = new Semaphore(permits, true);
    }

    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    @FunctionalInterface
    interface Parameters {
        void set(PreparedStatement statement) throws SQLException;
    }

    @FunctionalInterface
    interface Rows<T> {
        T read(ResultSet rows) throws SQLException;
    }

    /** One query: binds its parameters, maps its rows. See {@link #run}. */
    <T> T query(String what, String sql, Parameters parameters, Rows<T> rows) {
        return run(what, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                parameters.set(statement);
                try (ResultSet result = statement.executeQuery()) {
                    return rows.read(result);
                }
            }
        });
    }

    /**
     * @param what what the work does, for the error message ("read topic x")
     * @throws StoreUnavailableException when PostgreSQL cannot be reached
     */
    <T> T run(String what, Work<T> work) {
        acquire(what);
        try {
            try {
                return once(work);
            } catch (SQLException e) {
                if (!SqlFailure.isBrokenConnection(e)) {
                    throw e;
                }
                return once(work);
            }
        } catch (SQLException e) {
            throw SqlFailure.of(what, e);
        } finally {
            permits.release();
        }
    }

    private <T> T once(Work<T> work) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            T result = work.run(connection);
            lastAnswerNanos = System.nanoTime();
            return result;
        }
    }

    /**
     * Whether PostgreSQL answers now, checked on a reader's connection. When every reader
     * connection stays busy for {@code wait}, the reads holding them answer instead: PostgreSQL is
     * up if one of them succeeded meanwhile, so a busy replay load does not read as an outage.
     */
    boolean answers(Duration wait) {
        long asked = System.nanoTime();
        try {
            if (!permits.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                return lastAnswerNanos - asked >= 0;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try (Connection connection = pool.getConnection()) {
            return connection.isValid(1); // seconds: a round trip, or PostgreSQL is not answering
        } catch (SQLException e) {
            return false;
        } finally {
            permits.release();
        }
    }

    private void acquire(String what) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (permits.tryAcquire(PERMIT_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                        return;
                    }
                    throw new StoreUnavailableException(
                            "PostgreSQL cannot " + what + " now: every connection stayed busy for "
                                    + PERMIT_WAIT.toSeconds() + "s",
                            null);
                } catch (InterruptedException e) {
                    // A subscriber being closed must not break its read half-way; it sees the flag after.
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
