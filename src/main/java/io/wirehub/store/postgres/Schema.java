package io.wirehub.store.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The store's tables in one PostgreSQL schema, created or upgraded at start-up from the versioned
 * SQL files in {@code db/postgres/}, each applied once and recorded in {@code schema_version}.
 *
 * <p>Rollback: each migration says whether it is <em>additive</em> (it only adds tables, columns
 * that are nullable or have a default, indexes; it drops, renames and tightens nothing), and
 * {@code schema_version.additive} records it. Code written for the schema before an additive
 * migration runs unchanged after it (every query names its columns), and additive changes
 * compose, so a build meets a newer schema and starts when every newer version recorded is
 * additive: the previous release starts again after an upgrade (a rolling upgrade runs old and
 * new side by side the same way). A newer version that is not additive, or one recorded before
 * the flag existed, is refused.
 *
 * <p>Idempotent and safe when several instances start at once: the whole upgrade runs in one
 * transaction that first takes a transaction-scoped advisory lock keyed by the schema name, so a
 * second migrator waits, then finds the versions already recorded and applies nothing. A failed
 * upgrade rolls back entirely (PostgreSQL DDL is transactional).
 *
 * <p>The schema name comes from validated configuration ({@code [a-z_][a-z0-9_]*}), which is why
 * it can be spliced into SQL; it is still quoted.
 */
final class Schema {
    private static final System.Logger LOG = System.getLogger(Schema.class.getName());

    /** @param additive whether the build before it runs on the schema after it (see above) */
    private record Migration(String file, boolean additive) {}

    /**
     * NOTE: append new files here, never edit or renumber an applied one: deployed databases record
     * them. Mark one additive only when it is (CHANGELOG.md says so per release): an older build
     * trusts the mark.
     */
    private static final List<Migration> MIGRATIONS = List.of(
            new Migration("V1__events_and_topics.sql", false), // creates the store: there is no build before it
            new Migration("V2__store_epoch.sql", true)); // a table of its own, which older builds never read

    private final String name;

    Schema(String name) {
        if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("not a plain lower-case SQL identifier: " + name);
        }
        this.name = name;
    }

    String name() {
        return name;
    }

    /** The events table, schema-qualified: queries never depend on the connection's search_path. */
    String events() {
        return '"' + name + "\".events";
    }

    String topics() {
        return '"' + name + "\".topics";
    }

    /** Idempotency claims, created by the first PostgresIdempotencyKeys (they are optional). */
    String idempotencyClaims() {
        return '"' + name + "\".idempotency_claims";
    }

    /** The store generation, made once by the migration that created its table. */
    String epoch(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT epoch FROM \"" + name + "\".store_epoch")) {
            if (!rows.next()) {
                throw new IllegalStateException(
                        "the PostgreSQL schema '" + name + "' has no store epoch; was store_epoch emptied?");
            }
            return rows.getString(1);
        }
    }

    /** The version the newest migration file brings the schema to. */
    static int latestVersion() {
        return MIGRATIONS.size();
    }

    /**
     * Brings the schema to {@link #latestVersion()}; returns how many migrations it applied (0 when
     * another instance, or an earlier start, already did).
     *
     * @throws IllegalStateException when the database holds a newer schema than this build knows,
     *     unless every newer version is additive
     */
    int migrate(Connection connection) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                lock.setString(1, "wirehub.schema." + name);
                lock.execute();
            }
            statement.execute("CREATE SCHEMA IF NOT EXISTS \"" + name + '"');
            statement.execute("SET LOCAL search_path TO \"" + name + '"');
            statement.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version ("
                            + "version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
            // Schemas made by 0.1.0's first builds have no flag yet: their versions get it below.
            statement.execute("ALTER TABLE schema_version ADD COLUMN IF NOT EXISTS additive boolean");
            int current = currentVersion(statement);
            if (current > latestVersion()) {
                acceptNewer(connection, current);
            }
            for (int version = current + 1; version <= latestVersion(); version++) {
                Migration migration = MIGRATIONS.get(version - 1);
                statement.execute(resource(migration.file()));
                try (PreparedStatement record = connection.prepareStatement(
                        "INSERT INTO schema_version (version, name, additive) VALUES (?, ?, ?)")) {
                    record.setInt(1, version);
                    record.setString(2, migration.file());
                    record.setBoolean(3, migration.additive());
                    record.executeUpdate();
                }
            }
            recordAdditiveFlags(connection);
            connection.commit();
            return Math.max(0, latestVersion() - current);
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /**
     * A schema newer than this build: accepted when every newer version is recorded additive (a
     * rollback to this build), else refused naming the first that is not.
     */
    private void acceptNewer(Connection connection, int current) throws SQLException {
        StringBuilder newer = new StringBuilder();
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT version, name, additive FROM schema_version WHERE version > ? ORDER BY version")) {
            query.setInt(1, latestVersion());
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    boolean additive = rows.getBoolean(3) && !rows.wasNull();
                    if (!additive) {
                        throw new IllegalStateException(
                                "the PostgreSQL schema '" + name + "' is at version " + current + ", newer than"
                                        + " this wirehub (up to " + latestVersion() + "), and " + rows.getString(2)
                                        + " is not marked additive,"
                                        + " so this build cannot run on it; run a newer wirehub, or restore the database from before the upgrade"
                                        + " (docs/operations.md, Upgrades and rollback)");
                    }
                    newer.append(newer.isEmpty() ? "" : ", ").append(rows.getString(2));
                }
            }
        }
        LOG.log(
                System.Logger.Level.WARNING,
                "the PostgreSQL schema '" + name + "' is at version " + current + ", newer than this"
                        + " wirehub (up to " + latestVersion() + "); its newer migrations are additive (" + newer
                        + "), so this build runs on"
                        + " it and leaves them in place");
    }

    /** Gives the versions this build knows their flag where the schema has none yet (made before the flag existed). */
    private static void recordAdditiveFlags(Connection connection) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE schema_version SET additive = ? WHERE version = ? AND additive IS NULL")) {
            for (int version = 1; version <= latestVersion(); version++) {
                update.setBoolean(1, MIGRATIONS.get(version - 1).additive());
                update.setInt(2, version);
                update.addBatch();
            }
            update.executeBatch();
        }
    }

    private static int currentVersion(Statement statement) throws SQLException {
        try (ResultSet rows = statement.executeQuery("SELECT coalesce(max(version), 0) FROM schema_version")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static String resource(String file) {
        try (InputStream in = Schema.class.getResourceAsStream("/db/postgres/" + file)) {
            if (in == null) {
                throw new IllegalStateException("migration db/postgres/" + file + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
