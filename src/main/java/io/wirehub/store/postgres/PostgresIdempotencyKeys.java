package io.wirehub.store.postgres;

import io.wirehub.store.IdempotencyKeys;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The keys in a table every instance of the schema shares, so a publish retried on another
 * instance is recognised too. The primary key decides the race: of two concurrent claims, one
 * INSERT wins; the other sees the row and waits for its outcome.
 *
 * <p>A claim whose owner died between its claim and its {@link #complete} (a crash, a lost
 * connection) would pend for ever: a claim older than {@link #ABANDONED} without an outcome is
 * taken over. Rows older than the TTL are swept, at most once a minute, by whichever claim
 * comes first.
 */
final class PostgresIdempotencyKeys implements IdempotencyKeys {
    static final Duration ABANDONED = Duration.ofSeconds(30);
    private static final long SWEEP_EVERY_NANOS = Duration.ofMinutes(1).toNanos();

    private final Readers readers;
    private final String table;
    private final long ttlSeconds;
    private final AtomicLong nextSweep = new AtomicLong(System.nanoTime());

    PostgresIdempotencyKeys(Readers readers, Schema schema, Duration ttl) {
        this.readers = readers;
        this.table = '"' + schema.name() + "\".idempotency_keys";
        this.ttlSeconds = ttl.toSeconds();
        readers.run("create " + table, connection -> {
            try (Statement create = connection.createStatement()) {
                create.execute("CREATE TABLE IF NOT EXISTS " + table + " (key text PRIMARY KEY, topic text, seq bigint,"
                        + " claimed_at timestamptz NOT NULL DEFAULT now())");
            } catch (SQLException e) {
                if (!"23505".equals(e.getSQLState())) { // another instance created it at the same moment
                    throw e;
                }
            }
            return null;
        });
    }

    @Override
    public Claim claim(String key) {
        sweepNowAndThen();
        return readers.run("claim an idempotency key", connection -> {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table
                    + " (key) VALUES (?) ON CONFLICT (key) DO UPDATE SET claimed_at = now(), topic = NULL, seq = NULL"
                    // an expired row, or an abandoned claim, is taken over; anything else is left alone
                    + " WHERE " + table + ".claimed_at < now() - make_interval(secs => ?)"
                    + " OR (" + table + ".seq IS NULL AND " + table + ".claimed_at < now() - make_interval(secs => ?))")) {
                insert.setString(1, key);
                insert.setLong(2, ttlSeconds);
                insert.setLong(3, ABANDONED.toSeconds());
                if (insert.executeUpdate() == 1) {
                    return Claim.OWNED;
                }
            }
            try (PreparedStatement select = connection.prepareStatement("SELECT topic, seq FROM " + table + " WHERE key = ?")) {
                select.setString(1, key);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        return Claim.PENDING; // released between the two statements: the next try claims it
                    }
                    long seq = row.getLong(2);
                    return row.wasNull() ? Claim.PENDING : Claim.done(new Outcome(row.getString(1), seq));
                }
            }
        });
    }

    @Override
    public void complete(String key, Outcome outcome) {
        readers.run("record an idempotency key", connection -> {
            try (PreparedStatement update = connection.prepareStatement("UPDATE " + table + " SET topic = ?, seq = ? WHERE key = ?")) {
                update.setString(1, outcome.topic());
                update.setLong(2, outcome.seq());
                update.setString(3, key);
                return update.executeUpdate();
            }
        });
    }

    @Override
    public void release(String key) {
        readers.run("release an idempotency key", connection -> {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table + " WHERE key = ? AND seq IS NULL")) {
                delete.setString(1, key);
                return delete.executeUpdate();
            }
        });
    }

    private void sweepNowAndThen() {
        long due = nextSweep.get();
        if (System.nanoTime() - due < 0 || !nextSweep.compareAndSet(due, System.nanoTime() + SWEEP_EVERY_NANOS)) {
            return;
        }
        readers.run("sweep idempotency keys", connection -> {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table
                    + " WHERE claimed_at < now() - make_interval(secs => ?)")) {
                delete.setLong(1, ttlSeconds);
                return delete.executeUpdate();
            }
        });
    }
}
