package io.wirehub.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;

/**
 * A real three-primary Redis Cluster of the test's own: three {@code redis-server} processes in
 * cluster mode on free ports, their files in a temp directory, slots assigned by
 * {@code redis-cli --cluster create}. Sharded pub/sub needs Redis 7: without a {@code redis-server}
 * 7+ on the PATH the test is skipped, saying so loudly.
 */
public final class TestRedisCluster implements AutoCloseable {
    private static final String HOST = "127.0.0.1";
    private static final Duration READY_WAIT = Duration.ofSeconds(20);

    private final Path dir;
    private final List<Integer> ports = new ArrayList<>();
    private final List<Process> servers = new ArrayList<>();

    private TestRedisCluster(Path dir) {
        this.dir = dir;
    }

    /** Starts three primaries, or skips the calling test when no redis-server 7+ is installed. */
    public static TestRedisCluster startOrSkip() {
        return startOrSkip(0);
    }

    /**
     * Starts three primaries with {@code replicas} replicas each (a failover needs one), or skips
     * the calling test when no redis-server 7+ is installed.
     */
    public static TestRedisCluster startOrSkip(int replicas) {
        String version = serverVersion();
        Assumptions.assumeTrue(
                version != null && Integer.parseInt(version.split("\\.")[0]) >= 7,
                () ->
                        "\n\n*** SKIPPED: the Redis Cluster tests need redis-server 7+ (sharded pub/sub) on the PATH; found "
                                + (version == null ? "none" : version)
                                + ". Install it (apt-get install redis-server) to run them. ***\n");
        try {
            TestRedisCluster cluster = new TestRedisCluster(Files.createTempDirectory("wirehub-cluster"));
            try {
                cluster.start(replicas);
            } catch (RuntimeException | IOException | InterruptedException e) {
                cluster.close();
                throw new IllegalStateException("cannot start a local Redis Cluster: " + e.getMessage(), e);
            }
            return cluster;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void start(int replicas) throws IOException, InterruptedException {
        for (int i = 0; i < 3 * (1 + replicas); i++) {
            int port = freeClusterPort();
            Path nodeDir = Files.createDirectories(dir.resolve(String.valueOf(port)));
            ports.add(port);
            servers.add(new ProcessBuilder(
                            "redis-server",
                            "--port",
                            String.valueOf(port),
                            "--bind",
                            HOST,
                            "--cluster-enabled",
                            "yes",
                            "--cluster-config-file",
                            nodeDir.resolve("nodes.conf").toString(),
                            "--dir",
                            nodeDir.toString(),
                            "--save",
                            "",
                            "--appendonly",
                            "no",
                            "--cluster-node-timeout",
                            "2000",
                            "--protected-mode",
                            "no")
                    .redirectErrorStream(true)
                    .redirectOutput(nodeDir.resolve("redis.log").toFile())
                    .start());
        }
        for (int port : ports) {
            Eventually.await("redis-server on " + port, READY_WAIT, () -> answers(port));
        }
        List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        ports.forEach(port -> create.add(HOST + ":" + port));
        create.addAll(List.of("--cluster-replicas", String.valueOf(replicas), "--cluster-yes"));
        Process cli = new ProcessBuilder(create)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("create.log").toFile())
                .start();
        if (!cli.waitFor(READY_WAIT.toSeconds(), TimeUnit.SECONDS) || cli.exitValue() != 0) {
            cli.destroyForcibly();
            throw new IllegalStateException(
                    "redis-cli --cluster create failed: " + Files.readString(dir.resolve("create.log")));
        }
        for (int port : ports) {
            Eventually.await("cluster_state:ok on " + port, READY_WAIT, () -> clusterOk(port));
            // A replica that has not synced yet cannot be promoted: a failover test would wait forever.
            Eventually.await("replication in sync on " + port, READY_WAIT, () -> replicaSynced(port));
        }
    }

    /** A free port whose cluster bus port (port + 10000) is free too: redis-server binds both. */
    private static int freeClusterPort() {
        while (true) {
            int port = TestRedis.freePort();
            if (port + 10000 > 65535) {
                continue;
            }
            try {
                new java.net.ServerSocket(port + 10000, 1, java.net.InetAddress.getByName(HOST))
                        .close(); // it binds: free
                return port;
            } catch (IOException e) {
                // taken: another
            }
        }
    }

    private static boolean replicaSynced(int port) {
        try (Jedis jedis = new Jedis(HOST, port, 500)) {
            String replication = jedis.info("replication");
            return replication.contains("role:master") || replication.contains("master_link_status:up");
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** {@code host:port,host:port,...}: what {@code bus.redis.nodes} takes. */
    public String nodes() {
        return ports.stream().map(port -> HOST + ":" + port).collect(Collectors.joining(","));
    }

    public List<Integer> ports() {
        return List.copyOf(ports);
    }

    /** Kills one node's process outright (SIGKILL): a crashed primary, for a failover. */
    public void crash(int port) {
        servers.get(ports.indexOf(port)).destroyForcibly();
    }

    /** A plain connection to one node. */
    public Jedis connect(int port) {
        return new Jedis(HOST, port);
    }

    /** Drops every pub/sub connection of one node (CLIENT KILL TYPE pubsub). */
    public long killSubscribers(int port) {
        try (Jedis jedis = connect(port)) {
            return jedis.clientKill(ClientKillParams.clientKillParams().type(ClientType.PUBSUB));
        }
    }

    /** The shard channels a node carries now (PUBSUB SHARDCHANNELS). */
    public List<String> shardChannels(int port) {
        try (Jedis jedis = connect(port)) {
            return jedis.pubsubShardChannels();
        }
    }

    private static boolean answers(int port) {
        try (Jedis jedis = new Jedis(HOST, port, 500)) {
            return "PONG".equals(jedis.ping());
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static boolean clusterOk(int port) {
        try (Jedis jedis = new Jedis(HOST, port, 500)) {
            return jedis.clusterInfo().contains("cluster_state:ok");
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String serverVersion() {
        try {
            Process process = new ProcessBuilder("redis-server", "--version")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(process.getInputStream().readAllBytes());
            process.waitFor(5, TimeUnit.SECONDS);
            Matcher version = Pattern.compile("v=([0-9]+\\.[0-9]+\\.[0-9]+)").matcher(out);
            return version.find() ? version.group(1) : null;
        } catch (IOException e) {
            return null; // not installed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Stops the three processes it started (by their handles) and deletes their files. */
    @Override
    public void close() {
        for (Process server : servers) {
            server.destroy();
        }
        for (Process server : servers) {
            try {
                if (!server.waitFor(5, TimeUnit.SECONDS)) {
                    server.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind
        }
    }
}
