package io.wirehub.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.wirehub.config.Settings;
import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.store.EventStore;
import io.wirehub.store.IdempotencyKeys;
import io.wirehub.store.Snapshot;
import io.wirehub.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/**
 * The production store: events in PostgreSQL, shared by every instance that points at the same
 * schema. Plain blocking JDBC over a HikariCP pool, on virtual threads.
 *
 * <p>Parts: {@link Schema} sets the tables up at start-up; {@link GroupCommitWriter} is the one
 * writer, batching concurrent publishes into one transaction; {@link Readers} gives replays every
 * connection but the writer's; {@link RetentionSweeper} deletes old events in the background.
 *
 * <p>Failure: while PostgreSQL cannot be reached every operation throws
 * {@link StoreUnavailableException} within about {@link ConnectionPool#CONNECTION_TIMEOUT}, nothing
 * of a failed append is stored, and the pool reconnects by itself when the database is back.
 * Cost: {@code store.postgres.pool_size} connections, two virtual threads.
 */
public final class PostgresEventStore implements EventStore {
    // How often retention runs: old events linger at most this much longer than configured.
    static final Duration SWEEP_PERIOD = Duration.ofSeconds(5);
    // How long a health check waits for a reader connection before it asks the busy reads instead.
    private static final Duration HEALTH_WAIT = Duration.ofSeconds(1);

    private final HikariDataSource pool;
    private final Schema schema;
    private final Readers readers;
    private final GroupCommitWriter writer;
    private final RetentionSweeper sweeper;
    private final int readerPermits;
    private final String epoch;
    private final String selectAfter;
    private final String selectLatest;
    private final String selectSnapshot;

    /**
     * Connects, sets up or upgrades the schema, and starts the writer and the retention sweeper.
     *
     * @throws StoreUnavailableException with one line naming the setting to check, when PostgreSQL
     *     cannot be reached or refuses the login
     */
    public static PostgresEventStore open(Settings.Store settings) {
        return new PostgresEventStore(settings, InstantSource.system(), SWEEP_PERIOD, UnaryOperator.identity());
    }

    /**
     * @param writerPool what the writer takes its connections from: the pool itself; tests put a
     *     fake in between that fails on demand
     */
    PostgresEventStore(Settings.Store settings, InstantSource clock, Duration sweepPeriod,
            UnaryOperator<DataSource> writerPool) {
        Settings.Postgres postgres = settings.postgres();
        this.schema = new Schema(postgres.schema());
        this.pool = ConnectionPool.open(postgres);
        try {
            try (Connection connection = pool.getConnection()) {
                schema.migrate(connection);
                this.epoch = schema.epoch(connection);
            } catch (SQLException e) {
                throw SqlFailure.isUnavailable(e) ? ConnectionPool.unreachable(postgres, e)
                        : new IllegalStateException("cannot set up the PostgreSQL schema '" + schema.name() + "' at "
                                + ConnectionPool.redacted(postgres.url()) + ": " + SqlFailure.firstLine(e.getMessage()), e);
            }
            this.readerPermits = postgres.poolSize() - 1; // the last connection is the writer's
            this.readers = new Readers(pool, readerPermits);
            this.writer = new GroupCommitWriter(writerPool.apply(pool), schema, clock).start();
            this.sweeper = new RetentionSweeper(readers, schema, clock, settings.retention(),
                    settings.maxEventsPerTopic(), sweepPeriod).start();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        this.selectAfter = "SELECT " + EventRows.COLUMNS + " FROM " + schema.events()
                + " WHERE topic = ? AND seq > ? ORDER BY seq LIMIT ?";
        this.selectLatest = "SELECT seq FROM " + schema.topics() + " WHERE topic = ?";
        // One statement, so the head seq and the events come from one consistent snapshot.
        this.selectSnapshot = "SELECT t.seq AS head, e.* FROM " + schema.topics() + " t LEFT JOIN LATERAL (SELECT "
                + EventRows.COLUMNS + " FROM " + schema.events() + " WHERE topic = t.topic AND seq > t.seq - ?"
                + " ORDER BY seq LIMIT ?) e ON true WHERE t.topic = ?";
    }

    /** Idempotency keys in this schema, shared by every instance that uses it. */
    public IdempotencyKeys idempotencyKeys(Duration ttl) {
        return new PostgresIdempotencyKeys(readers, schema, ttl);
    }

    @Override
    public List<Event> append(List<NewEvent> events) {
        return writer.append(events, List.of());
    }

    /** The keys' outcomes commit with the events, where the claims are still the caller's. */
    @Override
    public List<Event> append(List<NewEvent> events, List<IdempotencyKeys.Completion> completions) {
        return writer.append(events, completions);
    }

    @Override
    public List<Event> readAfter(String topic, long afterSeq, int limit) {
        return readers.query("read topic " + topic, selectAfter, select -> {
            select.setString(1, topic);
            select.setLong(2, afterSeq);
            select.setInt(3, limit);
        }, rows -> EventRows.read(topic, rows));
    }

    /**
     * Reads the topics in parallel, one virtual thread each; {@link Readers} bounds how many hold
     * a connection at once. The first failure is thrown once every read has ended.
     */
    @Override
    public Map<String, List<Event>> readAfter(Map<String, Long> cursors, int limit) {
        if (cursors.size() <= 1) {
            return EventStore.super.readAfter(cursors, limit);
        }
        Map<String, Future<List<Event>>> reads = new LinkedHashMap<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            cursors.forEach((topic, after) -> reads.put(topic, threads.submit(() -> readAfter(topic, after, limit))));
        }
        Map<String, List<Event>> result = new LinkedHashMap<>();
        for (Map.Entry<String, Future<List<Event>>> read : reads.entrySet()) {
            result.put(read.getKey(), done(read.getValue()));
        }
        return result;
    }

    private static List<Event> done(Future<List<Event>> read) {
        try {
            return read.get(); // already complete: the executor's close waited for it
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while reading", e);
        }
    }

    @Override
    public String epoch() {
        return epoch;
    }

    @Override
    public long latestSeq(String topic) {
        return readers.query("read topic " + topic, selectLatest, select -> select.setString(1, topic),
                rows -> rows.next() ? rows.getLong(1) : 0L);
    }

    @Override
    public Snapshot snapshot(String topic, int limit) {
        return readers.query("read topic " + topic, selectSnapshot, select -> {
            select.setLong(1, limit);
            select.setInt(2, limit);
            select.setString(3, topic);
        }, rows -> {
            long head = 0;
            List<Event> events = new ArrayList<>();
            while (rows.next()) {
                head = rows.getLong("head");
                if (rows.getObject("seq") != null) { // the LEFT JOIN row of a topic with no events left
                    events.add(EventRows.event(topic, rows));
                }
            }
            return new Snapshot(topic, head, events);
        });
    }

    /**
     * False once the writer stopped for good ({@link GroupCommitWriter#isRunning}): every publish
     * would be refused, so the load balancer must send them elsewhere. Else checks a reader's
     * connection ({@link Readers#answers}), never the writer's: true at once while PostgreSQL
     * answers; false after at most the connection timeout while it does not.
     */
    @Override
    public boolean isHealthy() {
        return writer.isRunning() && readers.answers(HEALTH_WAIT);
    }

    /** Connections borrowed from the pool right now; 0 when the store is idle (leak tests, operations). */
    public int activeConnections() {
        return pool.getHikariPoolMXBean().getActiveConnections();
    }

    /** Connections open and unused now. */
    public int idleConnections() {
        return pool.getHikariPoolMXBean().getIdleConnections();
    }

    /** Threads waiting for a connection now: above 0 for long, the pool is too small. */
    public int threadsAwaitingConnection() {
        return pool.getHikariPoolMXBean().getThreadsAwaitingConnection();
    }

    public int maxConnections() {
        return pool.getMaximumPoolSize();
    }

    /** How many connections reads may hold at once (tests size their load by it). */
    int readerPermits() {
        return readerPermits;
    }

    @Override
    public void closeWrites() {
        writer.close();
    }

    /** Finishes the queued appends, stops the sweeper, then closes the pool. */
    @Override
    public void close() {
        writer.close();
        sweeper.close();
        pool.close();
    }
}
