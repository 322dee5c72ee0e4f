package io.wirehub.store.postgres;

import io.wirehub.store.IdempotencyKeys;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The keys in a table every instance of the schema shares, so a publish retried on another
 * instance is recognised too. The primary key (scope, key) decides the race: of two concurrent
 * claims, one INSERT wins; the other sees the row and waits for its outcome.
 *
 * <p>Each claim carries a random owner token. The owner's events and its key's outcome commit in
 * one transaction ({@link GroupCommitWriter}), which records the outcome only where the row still
 * holds that token: a stored event always has its key recorded, so {@link #complete} has nothing
 * to do and {@link #release} (which deletes only an unrecorded claim of the same token) can never
 * free a key whose events were stored.
 *
 * <p>A claim whose owner died between its claim and its commit (a crash, a lost connection) would
 * pend for ever: a claim older than {@link #ABANDONED} without an outcome is taken over, with a new
 * token. That is safe even if the owner is alive and still committing: its transaction then finds
 * the token changed and stores nothing ({@link ClaimLostException}), or it committed first and the
 * row has its outcome, which is never taken over. Rows older than the TTL are swept, at most once
 * a minute, by whichever claim comes first.
 *
 * <p>Before this table there was {@code idempotency_keys}, keyed by {@code subject|key}, which let
 * scopes collide. It is no longer read: keys recorded in it before the upgrade do not answer
 * retries after it. Drop it once every instance runs this version.
 */
final class PostgresIdempotencyKeys implements IdempotencyKeys {
    static final Duration ABANDONED = Duration.ofSeconds(30);
    private static final long SWEEP_EVERY_NANOS = Duration.ofMinutes(1).toNanos();
    private static final SecureRandom TOKENS = new SecureRandom();

    private final Readers readers;
    private final String table;
    private final long ttlSeconds;
    private final AtomicLong nextSweep = new AtomicLong(System.nanoTime());

    PostgresIdempotencyKeys(Readers readers, Schema schema, Duration ttl) {
        this.readers = readers;
        this.table = schema.idempotencyClaims();
        this.ttlSeconds = ttl.toSeconds();
        readers.run("create " + table, connection -> {
            try (Statement create = connection.createStatement()) {
                create.execute("CREATE TABLE IF NOT EXISTS " + table + " (scope text NOT NULL, key text NOT NULL,"
                        + " owner bigint NOT NULL, topic text, seq bigint, claimed_at timestamptz NOT NULL DEFAULT now(),"
                        + " PRIMARY KEY (scope, key))");
            } catch (SQLException e) {
                if (!"23505".equals(e.getSQLState())) { // another instance created it at the same moment
                    throw e;
                }
            }
            return null;
        });
    }

    @Override
    public Claim claim(String scope, String key) {
        sweepNowAndThen();
        long owner = TOKENS.nextLong();
        return readers.run("claim an idempotency key", connection -> {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table
                    + " (scope, key, owner) VALUES (?, ?, ?) ON CONFLICT (scope, key) DO UPDATE"
                    + " SET owner = EXCLUDED.owner, claimed_at = now(), topic = NULL, seq = NULL"
                    // an expired row, or an abandoned claim, is taken over; anything else is left alone
                    + " WHERE " + table + ".claimed_at < now() - make_interval(secs => ?)"
                    + " OR (" + table + ".seq IS NULL AND " + table
                    + ".claimed_at < now() - make_interval(secs => ?))")) {
                insert.setString(1, scope);
                insert.setString(2, key);
                insert.setLong(3, owner);
                insert.setLong(4, ttlSeconds);
                insert.setLong(5, ABANDONED.toSeconds());
                if (insert.executeUpdate() == 1) {
                    return Claim.owned(new Ticket(scope, key, owner));
                }
            }
            try (PreparedStatement select =
                    connection.prepareStatement("SELECT topic, seq FROM " + table + " WHERE scope = ? AND key = ?")) {
                select.setString(1, scope);
                select.setString(2, key);
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

    /** Nothing to do: the append recorded the outcome in its own transaction. */
    @Override
    public void complete(Ticket ticket, Outcome outcome) {}

    @Override
    public void release(Ticket ticket) {
        readers.run("release an idempotency key", connection -> {
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM " + table + " WHERE scope = ? AND key = ? AND owner = ? AND seq IS NULL")) {
                delete.setString(1, ticket.scope());
                delete.setString(2, ticket.key());
                delete.setLong(3, ticket.owner());
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
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM " + table + " WHERE claimed_at < now() - make_interval(secs => ?)")) {
                delete.setLong(1, ttlSeconds);
                return delete.executeUpdate();
            }
        });
    }
}
