package io.wirehub.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.wirehub.config.Settings;
import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.schedule.Scheduler;
import io.wirehub.store.Backlog;
import io.wirehub.store.EventStore;
import io.wirehub.store.IdempotencyKeys;
import io.wirehub.store.Snapshot;
import io.wirehub.store.StoreStats;
import io.wirehub.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
public final class PostgresEventStore implements EventStore, StoreStats.Pool {
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
    private final String selectBacklogs;
    private final String selectRange;
    private final String selectLatest;
    private final String selectSnapshot;

    /**
     * Connects, sets up or upgrades the schema, and starts the writer and the retention sweeper.
     *
     * @throws StoreUnavailableException with one line naming the setting to check, when PostgreSQL
     *     cannot be reached or refuses the login
     */
    public static PostgresEventStore open(Settings.Store settings, Scheduler scheduler) {
        return new PostgresEventStore(
                settings, scheduler, InstantSource.system(), SWEEP_PERIOD, UnaryOperator.identity());
    }

    /**
     * @param writerPool what the writer takes its connections from: the pool itself; tests put a
     *     fake in between that fails on demand
     */
    PostgresEventStore(
            Settings.Store settings,
            Scheduler scheduler,
            InstantSource clock,
            Duration sweepPeriod,
            UnaryOperator<DataSource> writerPool) {
        Settings.Postgres postgres = settings.postgres();
        this.schema = new Schema(postgres.schema());
        this.pool = ConnectionPool.open(postgres);
        try {
            try (Connection connection = pool.getConnection()) {
                schema.migrate(connection);
                this.epoch = schema.epoch(connection);
            } catch (SQLException e) {
                throw SqlFailure.isUnavailable(e)
                        ? ConnectionPool.unreachable(postgres, e)
                        : new IllegalStateException(
                                "cannot set up the PostgreSQL schema '" + schema.name() + "' at "
                                        + ConnectionPool.redacted(postgres.url()) + ": "
                                        + SqlFailure.firstLine(e.getMessage()),
                                e);
            }
            this.readerPermits = postgres.poolSize() - 1; // the last connection is the writer's
            this.readers = new Readers(pool, readerPermits);
            this.writer = new GroupCommitWriter(writerPool.apply(pool), schema, clock).start();
            this.sweeper = new RetentionSweeper(
                            readers, schema, clock, settings.retention(), settings.maxEventsPerTopic(), sweepPeriod)
                    .start(scheduler);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        this.selectAfter = "SELECT " + EventRows.COLUMNS + " FROM " + schema.events()
                + " WHERE topic = ? AND seq > ? ORDER BY seq LIMIT ?";
        this.selectLatest = "SELECT seq FROM " + schema.topics() + " WHERE topic = ?";
        // Counts and sizes without reading the data: octet_length of a stored (TOASTed) value
        // reads its header only. One statement for every topic of the stream.
        this.selectBacklogs =
                "SELECT c.topic, b.events, b.bytes, b.last FROM unnest(?::text[], ?::bigint[]) AS c(topic, after)"
                        + " CROSS JOIN LATERAL (SELECT count(*) AS events, coalesce(sum(octet_length(data)), 0) AS bytes, max(seq) AS last"
                        + " FROM (SELECT seq, data FROM " + schema.events() + " WHERE topic = c.topic AND seq > c.after"
                        + " ORDER BY seq LIMIT ?) r) b";
        this.selectRange = "SELECT " + EventRows.COLUMNS + " FROM " + schema.events()
                + " WHERE topic = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?";
        // One statement, so the head seq and the events come from one consistent snapshot. The
        // byte cap is applied here, newest first, so rows past it are never fetched: up to 1,000
        // rows of 64 KB would otherwise be read for a body cut to a few MB. The newest row is kept
        // even when it alone is larger; the oldest candidate is left out exactly when all of them
        // together are over the cap.
        this.selectSnapshot = "SELECT t.seq AS head, e.* FROM " + schema.topics() + " t LEFT JOIN LATERAL (SELECT "
                + EventRows.COLUMNS + ", truncated FROM (SELECT " + EventRows.COLUMNS + ","
                + " row_number() OVER newest AS n, sum(octet_length(data)) OVER newest AS newer_bytes,"
                + " count(*) OVER () > 1 AND sum(octet_length(data)) OVER () > ? AS truncated"
                + " FROM " + schema.events() + " WHERE topic = t.topic AND seq > t.seq - ?"
                + " WINDOW newest AS (ORDER BY seq DESC)) w WHERE n = 1 OR newer_bytes <= ? ORDER BY seq) e ON true"
                + " WHERE t.topic = ?";
    }

    @Override
    public StoreStats stats() {
        return this;
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
        return readers.query(
                "read topic " + topic,
                selectAfter,
                select -> {
                    select.setString(1, topic);
                    select.setLong(2, afterSeq);
                    select.setInt(3, limit);
                },
                rows -> EventRows.read(topic, rows));
    }

    /** One statement for all the topics; no event data is read. */
    @Override
    public Map<String, Backlog> backlogs(Map<String, Long> cursors, int limit) {
        if (cursors.isEmpty()) {
            return Map.of();
        }
        return readers.query(
                "size the replay of " + cursors.size() + " topics",
                selectBacklogs,
                select -> {
                    Connection connection = select.getConnection();
                    select.setArray(
                            1, connection.createArrayOf("text", cursors.keySet().toArray()));
                    select.setArray(
                            2,
                            connection.createArrayOf("bigint", cursors.values().toArray()));
                    select.setInt(3, limit);
                },
                rows -> {
                    Map<String, Backlog> found = new HashMap<>();
                    while (rows.next()) {
                        String topic = rows.getString(1);
                        int events = rows.getInt(2);
                        found.put(
                                topic,
                                events == 0
                                        ? Backlog.empty(cursors.get(topic))
                                        : new Backlog(cursors.get(topic), events, rows.getLong(3), rows.getLong(4)));
                    }
                    Map<String, Backlog> result = new LinkedHashMap<>(); // in the stream's order
                    cursors.forEach(
                            (topic, after) -> result.put(topic, found.getOrDefault(topic, Backlog.empty(after))));
                    return result;
                });
    }

    /**
     * Reads the topics in parallel, one virtual thread each; {@link Readers} bounds how many hold
     * a connection at once. The first failure is thrown once every read has ended.
     */
    @Override
    public Map<String, List<Event>> read(Map<String, Backlog> backlogs) {
        Map<String, Future<List<Event>>> reads = new LinkedHashMap<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            backlogs.forEach((topic, backlog) -> reads.put(
                    topic,
                    backlog.events() == 0
                            ? CompletableFuture.completedFuture(List.of())
                            : threads.submit(() -> readRange(topic, backlog))));
        }
        Map<String, List<Event>> result = new LinkedHashMap<>();
        for (Map.Entry<String, Future<List<Event>>> read : reads.entrySet()) {
            result.put(read.getKey(), done(read.getValue()));
        }
        return result;
    }

    private List<Event> readRange(String topic, Backlog backlog) {
        return readers.query(
                "read topic " + topic,
                selectRange,
                select -> {
                    select.setString(1, topic);
                    select.setLong(2, backlog.afterSeq());
                    select.setLong(3, backlog.lastSeq());
                    select.setInt(4, backlog.events()); // seqs are gapless: never more, fewer after retention
                },
                rows -> EventRows.read(topic, rows));
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
        return readers.query(
                "read topic " + topic,
                selectLatest,
                select -> select.setString(1, topic),
                rows -> rows.next() ? rows.getLong(1) : 0L);
    }

    @Override
    public Snapshot snapshot(String topic, int limit, long maxBytes) {
        return readers.query(
                "read topic " + topic,
                selectSnapshot,
                select -> {
                    select.setLong(1, maxBytes);
                    select.setLong(2, limit);
                    select.setLong(3, maxBytes);
                    select.setString(4, topic);
                },
                rows -> {
                    long head = 0;
                    boolean truncated = false;
                    List<Event> events = new ArrayList<>();
                    while (rows.next()) {
                        head = rows.getLong("head");
                        if (rows.getObject("seq") != null) { // the LEFT JOIN row of a topic with no events left
                            events.add(EventRows.event(topic, rows));
                            truncated = rows.getBoolean("truncated");
                        }
                    }
                    return new Snapshot(topic, head, events, truncated);
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
    @Override
    public int activeConnections() {
        return pool.getHikariPoolMXBean().getActiveConnections();
    }

    /** Connections open and unused now. */
    @Override
    public int idleConnections() {
        return pool.getHikariPoolMXBean().getIdleConnections();
    }

    /** Threads waiting for a connection now: above 0 for long, the pool is too small. */
    @Override
    public int threadsAwaitingConnection() {
        return pool.getHikariPoolMXBean().getThreadsAwaitingConnection();
    }

    @Override
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
