package io.wirehub.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of the test's own, on a free port and a scratch data directory, for tests
 * that stop and restart it: the shared one on 5432 serves other engineers' tests and is never
 * stopped. Built from the machine's PostgreSQL binaries ({@code /usr/lib/postgresql/<v>/bin}, or
 * {@code pg_config --bindir}); PostgreSQL refuses to run as root, so a root JVM runs them as the
 * {@code postgres} user. {@link #available()} says whether this machine can.
 *
 * <p>{@link #stop()} is a fast shutdown (every connection is cut, as in a real restart);
 * {@link #start()} brings the same data back on the same port.
 */
public final class PrivatePostgres implements AutoCloseable {
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private static final Path BINARIES = findBinaries();

    private final Path data;
    private final int port;
    private final Thread stopAtExit;
    private boolean running;

    private PrivatePostgres(Path data, int port) {
        this.data = data;
        this.port = port;
        this.stopAtExit = new Thread(this::stopQuietly, "private-postgres-stop");
    }

    /** Whether PostgreSQL's binaries (and, for a root JVM, the postgres user) are here. */
    public static boolean available() {
        return BINARIES != null;
    }

    /** Creates a cluster (initdb, trust auth) in a scratch directory and starts it on a free port. */
    public static PrivatePostgres create() {
        try {
            Path data = Files.createTempDirectory("wh-private-pg-");
            if (ROOT) {
                UserPrincipal postgres =
                        data.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
                Files.setOwner(data, postgres);
            }
            run("initdb", "-D", data.toString(), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8");
            PrivatePostgres server = new PrivatePostgres(data, TestRedis.freePort());
            Runtime.getRuntime().addShutdownHook(server.stopAtExit); // never leave a postmaster behind
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** WH_* variables for a postgres store on this server, in {@code schema}, with a small pool. */
    public Map<String, String> env(String schema) {
        Map<String, String> env = new HashMap<>();
        env.put("WH_STORE_TYPE", "postgres");
        env.put("WH_STORE_POSTGRES_URL", url());
        env.put("WH_STORE_POSTGRES_USER", "postgres");
        env.put("WH_STORE_POSTGRES_SCHEMA", schema);
        env.put("WH_STORE_POSTGRES_POOL_SIZE", "4");
        return env;
    }

    /** Starts the server (again) and returns once it accepts connections. */
    public void start() {
        run(
                "pg_ctl",
                "-D",
                data.toString(),
                "-l",
                data.resolve("log").toString(),
                "-w",
                "-t",
                "60",
                "-o",
                "-p " + port + " -k " + data + " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50",
                "start");
        running = true;
    }

    /** A fast shutdown: every session is cut, the postmaster exits; returns once it has. */
    public void stop() {
        run("pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop");
        running = false;
    }

    @Override
    public void close() {
        stopQuietly();
        Runtime.getRuntime().removeShutdownHook(stopAtExit);
        try (Stream<Path> files = Files.walk(data)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a scratch directory under the system's temp: nothing to do
        }
    }

    private void stopQuietly() {
        if (running) {
            try {
                stop();
            } catch (RuntimeException e) {
                // stopping anyway
            }
        }
    }

    private static void run(String program, String... arguments) {
        List<String> command = new ArrayList<>();
        if (ROOT) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.add(BINARIES.resolve(program).toString());
        command.addAll(List.of(arguments));
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(90, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path findBinaries() {
        Optional<Path> packaged;
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            packaged = versions.map(v -> v.resolve("bin"))
                    .filter(bin -> Files.isExecutable(bin.resolve("pg_ctl")))
                    .max(Comparator.comparing(Path::toString));
        } catch (IOException e) {
            packaged = Optional.empty();
        }
        Path found = packaged.orElseGet(PrivatePostgres::fromPgConfig);
        if (found == null
                || (ROOT
                        && !Files.isExecutable(Path.of("/usr/sbin/runuser"))
                        && !Files.isExecutable(Path.of("/sbin/runuser")))) {
            return null;
        }
        return found;
    }

    private static Path fromPgConfig() {
        try {
            Process process = new ProcessBuilder("pg_config", "--bindir").start();
            String bin = new String(process.getInputStream().readAllBytes()).trim();
            return process.waitFor() == 0 && Files.isExecutable(Path.of(bin, "pg_ctl")) ? Path.of(bin) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
