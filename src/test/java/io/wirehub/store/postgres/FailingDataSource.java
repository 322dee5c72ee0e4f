package io.wirehub.store.postgres;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import javax.sql.DataSource;

/** A fake in front of the real pool: hands out its connections, or throws the Error it was armed with, once. */
final class FailingDataSource implements DataSource {
    private final DataSource pool;
    private final AtomicReference<Error> next = new AtomicReference<>();

    FailingDataSource(DataSource pool) {
        this.pool = pool;
    }

    /** The next getConnection throws this instead. */
    void failNext(Error error) {
        next.set(error);
    }

    @Override
    public Connection getConnection() throws SQLException {
        Error error = next.getAndSet(null);
        if (error != null) {
            throw error;
        }
        return pool.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the writer logs in with the pool's credentials");
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return pool.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return pool.isWrapperFor(type);
    }
}
