package io.wirehub.store.postgres;

import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.store.IdempotencyKeys;
import io.wirehub.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * The one thread that writes events: concurrent {@link #append} calls queue up while a
 * transaction commits, and the next transaction takes them all at once (group commit), so one
 * fsync serves many publishers. There is no linger: a lone publisher commits at once.
 *
 * <p>Invariants: each caller returns only after its events are committed, or with an exception
 * and nothing of its batch stored. A group that PostgreSQL refuses because of one caller's data is
 * rolled back and each batch is retried alone, so the others still commit and only that caller
 * fails. A group that fails because PostgreSQL is unreachable fails every caller with
 * {@link StoreUnavailableException}; a connection found dead before the commit was sent is
 * replaced once, transparently. An {@link Error} while a group is written (an OutOfMemoryError
 * from a huge group) fails that group's callers with {@link StoreUnavailableException} and the
 * writer goes on; only an Error of the VM itself stops it, and then {@link #isRunning} turns false
 * so the store reports itself unhealthy. If the connection breaks during the commit itself the outcome is
 * unknown: the callers get {@link StoreUnavailableException} although the events may be stored
 * (their seqs are then simply there, gapless; a retried publish stores the events again).
 *
 * <p>Idempotency keys: a batch may carry claimed keys ({@link IdempotencyKeys.Completion}); the
 * same transaction records their outcomes, where the claim still holds the caller's owner token. A
 * claim taken over meanwhile ({@link PostgresIdempotencyKeys#ABANDONED}) fails that caller alone
 * with {@link IdempotencyKeys.ClaimLostException}, nothing of its batch stored, like refused data.
 *
 * <p>Seqs: one statement upserts the group's topics in sorted order ({@code seq = seq + k
 * RETURNING seq}), taking each topic's row lock in the same order in every instance, so no two
 * writers deadlock and a topic's seqs follow the commit order across instances. The row lock is
 * held to the commit, which is what makes the seqs gapless.
 *
 * <p>Cost: the queue holds one entry per waiting publisher; a group holds at most
 * {@link #MAX_GROUP_EVENTS} events (unless one batch alone is larger), bounding one transaction.
 */
final class GroupCommitWriter implements AutoCloseable {
    static final int MAX_GROUP_EVENTS = 2000;
    private static final System.Logger LOG = System.getLogger(GroupCommitWriter.class.getName());
    private static final PendingAppend STOP = new PendingAppend(List.of());
    // Our own SQLSTATE (class WH is PostgreSQL-free) for "an idempotency claim is not ours any more".
    private static final String CLAIM_LOST = "WH409";

    private final DataSource pool;
    private final InstantSource clock;
    private final String upsertTopics;
    private final String insertEvents;
    private final String completeClaims;
    // Unbounded on purpose: each publisher has at most one entry (it waits for its answer), so the
    // queue is bounded by the number of publishing requests the server admits.
    private final LinkedBlockingQueue<PendingAppend> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final AtomicBoolean stopSent = new AtomicBoolean();
    private volatile boolean closed;
    private volatile boolean failed; // stopped by an Error it could not outlive (see run)

    GroupCommitWriter(DataSource pool, Schema schema, InstantSource clock) {
        this.pool = pool;
        this.clock = clock;
        this.upsertTopics = "INSERT INTO " + schema.topics() + " AS t (topic, seq)"
                + " SELECT topic, n FROM unnest(?::text[], ?::bigint[]) AS u(topic, n) ORDER BY topic"
                + " ON CONFLICT (topic) DO UPDATE SET seq = t.seq + EXCLUDED.seq RETURNING topic, seq";
        this.insertEvents = "INSERT INTO " + schema.events() + " (topic, seq, type, data, json, created_at)"
                + " SELECT u.topic, u.seq, u.type, u.data, u.json, ?::timestamptz"
                + " FROM unnest(?::text[], ?::bigint[], ?::text[], ?::text[], ?::boolean[]) AS u(topic, seq, type, data, json)";
        this.completeClaims = "UPDATE " + schema.idempotencyClaims() + " AS c SET topic = u.topic, seq = u.seq"
                + " FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::bigint[]) AS u(scope, key, owner, topic, seq)"
                + " WHERE c.scope = u.scope AND c.key = u.key AND c.owner = u.owner AND c.seq IS NULL";
        this.thread = Thread.ofVirtual().name("pg-writer-" + schema.name()).unstarted(this::run);
    }

    GroupCommitWriter start() {
        thread.start();
        return this;
    }

    /**
     * Stores the batch all or nothing, with its keys' outcomes; returns once it is committed.
     *
     * @throws IdempotencyKeys.ClaimLostException when a key's claim is no longer the caller's: nothing stored
     */
    List<Event> append(List<NewEvent> events, List<IdempotencyKeys.Completion> completions) {
        if (events.isEmpty()) {
            return List.of();
        }
        PendingAppend pending = new PendingAppend(events, completions);
        if (closed) {
            throw closedStore();
        }
        queue.add(pending);
        if (closed && queue.remove(pending)) {
            throw closedStore(); // close() raced us and the writer may be gone
        }
        return pending.await();
    }

    private void run() {
        while (true) {
            PendingAppend first;
            try {
                first = queue.take();
            } catch (InterruptedException e) {
                return; // nobody interrupts the writer; close() sends STOP
            }
            if (first == STOP) {
                return;
            }
            try {
                commit(gather(first));
            } catch (Error e) {
                if (survivable(e)) {
                    // commit() failed this group's callers already; the group's arrays are garbage
                    // now, so the next group has its memory back. Stopping here would refuse every
                    // publish until a restart while /health still said UP.
                    LOG.log(
                            System.Logger.Level.ERROR,
                            "storing a group of events failed; its publishes got 503," + " the writer goes on",
                            e);
                    continue;
                }
                // The JVM itself is in doubt: refuse what waits and what comes, and report the
                // store DOWN (isRunning), rather than let publishers wait for a thread that is gone.
                failed = true;
                closed = true;
                for (PendingAppend left; (left = queue.poll()) != null; ) {
                    if (left != STOP) {
                        left.fail(closedStore());
                    }
                }
                throw e;
            }
        }
    }

    /**
     * An Error the writer outlives: memory exhausted by one huge group (freed once the group is
     * dropped), a stack overflow, a bug's AssertionError or LinkageError in one call. Only the
     * VM's own failures (InternalError, UnknownError) stop it.
     */
    static boolean survivable(Error e) {
        return !(e instanceof VirtualMachineError) || e instanceof OutOfMemoryError || e instanceof StackOverflowError;
    }

    /**
     * False once the writer stopped for an Error it cannot outlive: the store then reports itself
     * unhealthy, so the load balancer sends publishes elsewhere. True before start and after close.
     */
    boolean isRunning() {
        return !failed;
    }

    /** The first waiting batch and as many queued after it as fit in one group. */
    private List<PendingAppend> gather(PendingAppend first) {
        List<PendingAppend> group = new ArrayList<>();
        group.add(first);
        int events = first.size();
        PendingAppend next;
        while ((next = queue.peek()) != null && next != STOP && events + next.size() <= MAX_GROUP_EVENTS) {
            group.add(queue.poll()); // only this thread takes, so poll returns what peek saw
            events += next.size();
        }
        return group;
    }

    /**
     * Commits the group and answers every caller in it; throws nothing but an Error, and then
     * after answering every caller not answered yet with {@link StoreUnavailableException} (503).
     */
    void commit(List<PendingAppend> group) {
        try {
            answer(group);
        } catch (Error e) {
            // The Error came before the commit, or instead of it: nothing is stored, as far as
            // anyone can tell (if it came after the commit was sent the outcome is unknown, as
            // with a broken connection). Callers answered already keep their answer.
            StoreUnavailableException failure = new StoreUnavailableException("storing events failed: " + e, null);
            group.forEach(pending -> pending.fail(failure));
            throw e;
        }
    }

    private void answer(List<PendingAppend> group) {
        try {
            List<List<Event>> stored = write(group);
            for (int i = 0; i < group.size(); i++) {
                group.get(i).succeed(stored.get(i));
            }
        } catch (SQLException e) {
            if (SqlFailure.isUnavailable(e)) {
                StoreUnavailableException failure = SqlFailure.unavailable("store events", e);
                group.forEach(pending -> pending.fail(failure));
            } else if (group.size() == 1) {
                group.getFirst()
                        .fail(
                                CLAIM_LOST.equals(e.getSQLState())
                                        ? new IdempotencyKeys.ClaimLostException()
                                        : SqlFailure.refused("store this batch", e));
            } else {
                group.forEach(pending -> answer(List.of(pending))); // find whose batch it was
            }
        } catch (RuntimeException e) {
            group.forEach(pending -> pending.fail(new IllegalStateException("storing events failed: " + e, e)));
        }
    }

    /** One transaction for the group; a connection found dead before the commit is replaced once. */
    private List<List<Event>> write(List<PendingAppend> group) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try (Connection connection = pool.getConnection()) {
                List<List<Event>> stored;
                try {
                    connection.setAutoCommit(false);
                    stored = insert(connection, group, clock.millis());
                } catch (SQLException e) {
                    rollbackQuietly(connection);
                    if (attempt == 1 && SqlFailure.isBrokenConnection(e)) {
                        continue; // nothing was committed: safe to run again
                    }
                    throw e;
                }
                connection.commit();
                return stored;
            }
        }
    }

    private List<List<Event>> insert(Connection connection, List<PendingAppend> group, long now) throws SQLException {
        Map<String, Long> nextSeq = reserveSeqs(connection, group);
        int total = group.stream().mapToInt(PendingAppend::size).sum();
        String[] topics = new String[total];
        Long[] seqs = new Long[total];
        String[] types = new String[total];
        String[] data = new String[total];
        Boolean[] json = new Boolean[total];
        List<List<Event>> stored = new ArrayList<>(group.size());
        int row = 0;
        for (PendingAppend pending : group) {
            List<Event> events = new ArrayList<>(pending.size());
            for (NewEvent event : pending.events()) {
                long seq = nextSeq.merge(event.topic(), 1L, Long::sum) - 1;
                topics[row] = event.topic();
                seqs[row] = seq;
                types[row] = event.type();
                data[row] = event.data();
                json[row] = event.json();
                row++;
                events.add(new Event(event.topic(), seq, event.type(), event.data(), event.json(), now));
            }
            stored.add(events);
        }
        try (PreparedStatement insert = connection.prepareStatement(insertEvents)) {
            insert.setObject(1, EventRows.timestamp(now));
            insert.setArray(2, connection.createArrayOf("text", topics));
            insert.setArray(3, connection.createArrayOf("int8", seqs));
            insert.setArray(4, connection.createArrayOf("text", types));
            insert.setArray(5, connection.createArrayOf("text", data));
            insert.setArray(6, connection.createArrayOf("bool", json));
            insert.executeUpdate();
        }
        completeClaims(connection, group, stored);
        return stored;
    }

    /** Records every claimed key's outcome, or throws (rolling the group back) if any claim was taken over. */
    private void completeClaims(Connection connection, List<PendingAppend> group, List<List<Event>> stored)
            throws SQLException {
        int total =
                group.stream().mapToInt(pending -> pending.completions().size()).sum();
        if (total == 0) {
            return;
        }
        String[] scopes = new String[total];
        String[] keys = new String[total];
        Long[] owners = new Long[total];
        String[] topics = new String[total];
        Long[] seqs = new Long[total];
        int row = 0;
        for (int i = 0; i < group.size(); i++) {
            for (IdempotencyKeys.Completion completion : group.get(i).completions()) {
                Event event = stored.get(i).get(completion.event());
                scopes[row] = completion.ticket().scope();
                keys[row] = completion.ticket().key();
                owners[row] = completion.ticket().owner();
                topics[row] = event.topic();
                seqs[row] = event.seq();
                row++;
            }
        }
        try (PreparedStatement update = connection.prepareStatement(completeClaims)) {
            update.setArray(1, connection.createArrayOf("text", scopes));
            update.setArray(2, connection.createArrayOf("text", keys));
            update.setArray(3, connection.createArrayOf("int8", owners));
            update.setArray(4, connection.createArrayOf("text", topics));
            update.setArray(5, connection.createArrayOf("int8", seqs));
            if (update.executeUpdate() != total) {
                throw new SQLException(
                        "an idempotency claim of this group was taken over before it committed", CLAIM_LOST);
            }
        }
    }

    /** Advances each topic's seq by its event count in the group; returns each topic's first new seq. */
    private Map<String, Long> reserveSeqs(Connection connection, List<PendingAppend> group) throws SQLException {
        TreeMap<String, Long> counts = new TreeMap<>();
        group.forEach(pending -> pending.events().forEach(event -> counts.merge(event.topic(), 1L, Long::sum)));
        Map<String, Long> first = new HashMap<>();
        try (PreparedStatement upsert = connection.prepareStatement(upsertTopics)) {
            upsert.setArray(1, connection.createArrayOf("text", counts.keySet().toArray()));
            upsert.setArray(2, connection.createArrayOf("int8", counts.values().toArray()));
            try (ResultSet rows = upsert.executeQuery()) {
                while (rows.next()) {
                    String topic = rows.getString(1);
                    first.put(topic, rows.getLong(2) - counts.get(topic) + 1);
                }
            }
        }
        return first;
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            // the connection is broken already; the pool discards it
        }
    }

    private static StoreUnavailableException closedStore() {
        return new StoreUnavailableException("the PostgreSQL store is closed", null);
    }

    /** Stops taking batches, finishes the queued ones, and fails any that arrive too late. Idempotent. */
    @Override
    public void close() {
        closed = true;
        if (stopSent.getAndSet(true)) {
            return;
        }
        queue.add(STOP);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        PendingAppend left;
        while ((left = queue.poll()) != null) {
            left.fail(closedStore());
        }
    }
}
