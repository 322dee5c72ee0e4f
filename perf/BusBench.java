import io.wirehub.app.WireHub;
import io.wirehub.config.SettingsLoader;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bus modes side by side: N wirehub instances in this one JVM (PostgreSQL + Redis or a Redis
 * Cluster), T topics, each instance following T/N of them (one SSE stream per topic), a publisher
 * sending R events/s round-robin over the topics, each to an instance that does NOT follow the
 * topic (so every delivery crosses the bus). Prints, per instance: events the bus handed it
 * (wirehub_bus_received_events_total), deliveries to its streams; and Redis's output bytes.
 *
 * Run by perf/bus.sh: java -cp target/wirehub.jar perf/BusBench.java --mode interest ...
 */
public class BusBench {
    public static void main(String[] args) throws Exception {
        Args opt = Args.parse(
                "BusBench",
                args,
                "mode",
                "channel",
                "instances",
                "4",
                "topics",
                "200",
                "rate",
                "400",
                "seconds",
                "10",
                "shards",
                "64",
                "pg-url",
                "jdbc:postgresql://127.0.0.1:5432/test",
                "pg-user",
                "postgres",
                "redis",
                "127.0.0.1:6379"); // redis: host:port, or the cluster's nodes
        String mode = opt.get("mode");
        int instances = opt.intArg("instances");
        int topics = opt.intArg("topics");
        int rate = opt.intArg("rate");
        int seconds = opt.intArg("seconds");
        String shards = opt.get("shards");
        String pgUrl = opt.get("pg-url");
        String pgUser = opt.get("pg-user");
        String redis = opt.get("redis");
        String schema = "bench_" + UUID.randomUUID().toString().substring(0, 8);

        Map<String, String> env = new HashMap<>(Map.of(
                "WH_HOST",
                "127.0.0.1",
                "WH_PORT",
                "0",
                "WH_STORE_TYPE",
                "postgres",
                "WH_STORE_POSTGRES_URL",
                pgUrl,
                "WH_STORE_POSTGRES_USER",
                pgUser,
                "WH_STORE_POSTGRES_SCHEMA",
                schema,
                "WH_STORE_POSTGRES_POOL_SIZE",
                "4",
                "WH_BUS_REDIS_CHANNEL",
                schema,
                "WH_BUS_REDIS_SHARDS",
                shards,
                "WH_MAX_TOPICS_PER_STREAM",
                "1"));
        switch (mode) {
            case "channel" -> env.putAll(Map.of("WH_BUS_TYPE", "redis", "WH_BUS_REDIS_URL", "redis://" + redis));
            case "interest" ->
                env.putAll(Map.of(
                        "WH_BUS_TYPE",
                        "redis",
                        "WH_BUS_REDIS_URL",
                        "redis://" + redis,
                        "WH_BUS_REDIS_ROUTING",
                        "interest"));
            case "cluster" -> env.putAll(Map.of("WH_BUS_TYPE", "redis-cluster", "WH_BUS_REDIS_NODES", redis));
            case "cluster-interest" ->
                env.putAll(Map.of(
                        "WH_BUS_TYPE",
                        "redis-cluster",
                        "WH_BUS_REDIS_NODES",
                        redis,
                        "WH_BUS_REDIS_ROUTING",
                        "interest"));
            default -> throw new IllegalArgumentException("--mode channel|interest|cluster|cluster-interest");
        }
        List<WireHub> hubs = new ArrayList<>();
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        try {
            for (int i = 0; i < instances; i++) {
                hubs.add(WireHub.start(SettingsLoader.load(null, env)));
            }
            // Streams: topic k is followed on instance k % N only.
            AtomicLongArray delivered = new AtomicLongArray(instances);
            List<Thread> readers = new ArrayList<>();
            for (int k = 0; k < topics; k++) {
                int owner = k % instances;
                String url = base(hubs.get(owner)) + "/v1/sse?topic=bench." + k;
                readers.add(Thread.ofVirtual().start(() -> read(http, url, delivered, owner)));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (hubs.stream().mapToInt(hub -> hub.hub().subscriptions()).sum() < topics) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("streams did not all open");
                }
                Thread.sleep(20);
            }
            Thread.sleep(500); // interest: the shard SUBSCRIBEs go out
            long[] receivedBefore = new long[instances];
            for (int i = 0; i < instances; i++) {
                receivedBefore[i] = metric(http, hubs.get(i), "wirehub_bus_received_events_total");
            }
            long[] redisOutBefore = redisOutputBytes(redis);
            long cpuBefore = cpuNanos();

            // Publish: R/s for T s, topic k round-robin, to an instance that does not follow it.
            Semaphore inFlight = new Semaphore(64);
            AtomicLong published = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            long start = System.nanoTime();
            long total = (long) rate * seconds;
            for (long n = 0; n < total; n++) {
                long due = start + n * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(Duration.ofNanos(wait));
                }
                int k = (int) (n % topics);
                WireHub target = hubs.get((k % instances + 1) % instances);
                inFlight.acquire();
                http.sendAsync(
                                HttpRequest.newBuilder(URI.create(base(target) + "/v1/topics/bench." + k + "/events"))
                                        .POST(HttpRequest.BodyPublishers.ofString(
                                                "{\"n\":" + n + ",\"pad\":\"" + "x".repeat(100) + "\"}"))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .whenComplete((response, error) -> {
                            if (error == null && response.statusCode() == 201) {
                                published.incrementAndGet();
                            } else {
                                failed.incrementAndGet();
                            }
                            inFlight.release();
                        });
            }
            inFlight.acquire(64);
            double publishSeconds = (System.nanoTime() - start) / 1e9;
            long drainDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (sum(delivered) < published.get() && System.nanoTime() < drainDeadline) {
                Thread.sleep(20);
            }
            double allSeconds = (System.nanoTime() - start) / 1e9;
            long cpu = cpuNanos() - cpuBefore;
            long[] redisOutAfter = redisOutputBytes(redis);
            long redisOut = 0;
            List<String> perNode = new ArrayList<>();
            for (int i = 0; i < redisOutAfter.length; i++) {
                redisOut += redisOutAfter[i] - redisOutBefore[i];
                perNode.add(String.format(Locale.ROOT, "%.1f", (redisOutAfter[i] - redisOutBefore[i]) / 1e6));
            }

            System.out.printf(
                    Locale.ROOT,
                    "mode %s: %d instances, %d topics (%d per instance), %d shards%n",
                    mode,
                    instances,
                    topics,
                    topics / instances,
                    Integer.parseInt(shards));
            System.out.printf(
                    Locale.ROOT,
                    "published %d (%.0f/s target %d/s), %d failed%n",
                    published.get(),
                    published.get() / publishSeconds,
                    rate,
                    failed.get());
            long receivedAll = 0;
            for (int i = 0; i < instances; i++) {
                long received = metric(http, hubs.get(i), "wirehub_bus_received_events_total") - receivedBefore[i];
                receivedAll += received;
                System.out.printf(
                        Locale.ROOT,
                        "  instance %d: bus received %d (%.0f/s), delivered %d (%.0f/s)%n",
                        i,
                        received,
                        received / allSeconds,
                        delivered.get(i),
                        delivered.get(i) / allSeconds);
            }
            System.out.printf(
                    Locale.ROOT,
                    "total: bus received %d (%.2f x published), deliveries %d (%.0f/s), redis output %.1f MB (%s per node),"
                            + " wirehub JVM CPU %.1f s (all %d instances and the client)%n",
                    receivedAll,
                    receivedAll / (double) published.get(),
                    sum(delivered),
                    sum(delivered) / allSeconds,
                    redisOut / 1e6,
                    String.join(" + ", perNode),
                    cpu / 1e9,
                    instances);
            System.out.println(
                    sum(delivered) == published.get() && failed.get() == 0
                            ? "RESULT ok"
                            : "RESULT inexact: delivered " + sum(delivered) + " of " + published.get());
            readers.forEach(Thread::interrupt);
        } finally {
            hubs.forEach(WireHub::close);
            try (var connection = DriverManager.getConnection(pgUrl, pgUser, "");
                    var statement = connection.createStatement()) {
                statement.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
            }
        }
        System.exit(0);
    }

    private static void read(HttpClient http, String url, AtomicLongArray delivered, int owner) {
        try {
            HttpResponse<java.util.stream.Stream<String>> response =
                    http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofLines());
            response.body().forEach(line -> {
                if (line.startsWith(
                        "data:")) { // an event (a stream opens with an id: line of its position and no data)
                    delivered.incrementAndGet(owner);
                }
            });
        } catch (IOException | InterruptedException e) {
            // the run is over
        }
    }

    private static String base(WireHub hub) {
        return "http://127.0.0.1:" + hub.port();
    }

    private static long metric(HttpClient http, WireHub hub, String name) throws Exception {
        String text = http.send(
                        HttpRequest.newBuilder(URI.create(base(hub) + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        Matcher m = Pattern.compile("(?m)^" + name + " ([0-9.eE+]+)$").matcher(text);
        return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
    }

    /** INFO stats total_net_output_bytes of each host:port in the list (RESP by hand: no client needed). */
    private static long[] redisOutputBytes(String nodes) throws IOException {
        String[] all = nodes.split(",");
        long[] bytes = new long[all.length];
        for (int i = 0; i < all.length; i++) {
            String node = all[i];
            String[] hostPort = node.trim().split(":");
            try (Socket socket = new Socket(hostPort[0], Integer.parseInt(hostPort[1]))) {
                socket.getOutputStream().write("INFO stats\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                byte[] buffer = new byte[16384];
                StringBuilder text = new StringBuilder();
                while (!text.toString().contains("total_net_output_bytes:")
                        || !text.toString().endsWith("\r\n\r\n")
                                && text.indexOf("\r\n", text.indexOf("total_net_output_bytes:")) < 0) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        break;
                    }
                    text.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
                }
                Matcher m = Pattern.compile("total_net_output_bytes:([0-9]+)").matcher(text);
                if (m.find()) {
                    bytes[i] = Long.parseLong(m.group(1));
                }
            }
        }
        return bytes;
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long sum(AtomicLongArray values) {
        long sum = 0;
        for (int i = 0; i < values.length(); i++) {
            sum += values.get(i);
        }
        return sum;
    }
}
