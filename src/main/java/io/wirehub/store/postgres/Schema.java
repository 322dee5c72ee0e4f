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
 * <p>Idempotent and safe when several instances start at once: the whole upgrade runs in one
 * transaction that first takes a transaction-scoped advisory lock keyed by the schema name, so a
 * second migrator waits, then finds the versions already recorded and applies nothing. A failed
 * upgrade rolls back entirely (PostgreSQL DDL is transactional).
 *
 * <p>The schema name comes from validated configuration ({@code [a-z_][a-z0-9_]*}), which is why
 * it can be spliced into SQL; it is still quoted.
 */
final class Schema {
    /** NOTE: append new files here, never edit or renumber an applied one: deployed databases record them. */
    private static final List<String> MIGRATIONS = List.of("V1__events_and_topics.sql", "V2__store_epoch.sql");

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
                throw new IllegalStateException("the PostgreSQL schema '" + name + "' has no store epoch; was store_epoch emptied?");
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
     * @throws IllegalStateException when the database holds a newer schema than this build knows
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
            statement.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                    + "version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
            int current = currentVersion(statement);
            if (current > latestVersion()) {
                throw new IllegalStateException("the PostgreSQL schema '" + name + "' is at version " + current
                        + " but this wirehub knows only up to " + latestVersion() + "; run a newer wirehub");
            }
            for (int version = current + 1; version <= latestVersion(); version++) {
                String file = MIGRATIONS.get(version - 1);
                statement.execute(resource(file));
                try (PreparedStatement record = connection.prepareStatement(
                        "INSERT INTO schema_version (version, name) VALUES (?, ?)")) {
                    record.setInt(1, version);
                    record.setString(2, file);
                    record.executeUpdate();
                }
            }
            connection.commit();
            return latestVersion() - current;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
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
