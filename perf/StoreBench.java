import io.wirehub.config.Settings;
import io.wirehub.config.SettingsLoader;
import io.wirehub.event.NewEvent;
import io.wirehub.store.postgres.PostgresEventStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * The PostgreSQL store's two numbers that matter: publish throughput with group commit, and the
 * latency of a capped replay on a big table. Not a test: it prints figures.
 *
 * <pre>
 * make build
 * java -cp 'target/wirehub.jar:target/libs/*' perf/StoreBench.java [jdbc-url]
 * </pre>
 *
 * The URL defaults to WH_STORE_POSTGRES_URL, else jdbc:postgresql://127.0.0.1:5432/postgres; the
 * user and password come from WH_STORE_POSTGRES_USER / _PASSWORD (default postgres, empty). It
 * works in a schema of its own, wirehub_bench_*, and drops it at the end.
 */
public final class StoreBench {
    private static final Duration PUBLISH_RUN = Duration.ofSeconds(4);
    private static final int EVENT_BYTES = 150;
    private static final int BULK_TOPICS = 1000;
    private static final int BULK_EVENTS_PER_TOPIC = 1000;
    private static final int REPLAYS = 5000;
    private static final int REPLAY_LIMIT = 101; // store.replay_limit 100, plus one to see whether there are more

    public static void main(String[] args) throws Exception {
        io.helidon.logging.common.LogConfig.configureRuntime(); // the jar's logging.properties, as Main does
        Map<String, String> env = new HashMap<>();
        System.getenv().forEach((key, value) -> {
            if (key.startsWith("WH_STORE_POSTGRES_")) {
                env.put(key, value);
            }
        });
        if (args.length > 0) {
            env.put("WH_STORE_POSTGRES_URL", args[0]);
        }
        String schema = "wirehub_bench_" + UUID.randomUUID().toString().substring(0, 8);
        env.put("WH_STORE_TYPE", "postgres");
        env.put("WH_STORE_POSTGRES_SCHEMA", schema);
        env.put("WH_STORE_RETENTION", "0s"); // keep everything: the bulk rows are the point
        env.put("WH_STORE_MAX_EVENTS_PER_TOPIC", String.valueOf(Integer.MAX_VALUE));
        Settings.Store settings = SettingsLoader.load(null, env).store();
        Settings.Postgres pg = settings.postgres();
        System.out.printf(
                "StoreBench: %s, schema %s, pool %d, %d cores, Java %s%n",
                pg.url().replaceFirst("\\?.*", ""),
                schema,
                pg.poolSize(),
                Runtime.getRuntime().availableProcessors(),
                Runtime.version());

        try (Connection sql = DriverManager.getConnection(pg.url(), pg.user(), pg.password());
                PostgresEventStore store = PostgresEventStore.open(settings)) {
            try {
                System.out.println("server: " + query(sql, "SELECT version()"));
                publish(store, 1, Duration.ofSeconds(1), "warm-up"); // JIT, pool, prepared statements
                for (int publishers : new int[] {1, 16}) {
                    publish(store, publishers, PUBLISH_RUN, "publish");
                }
                bulkLoad(sql, schema);
                replay(store, 1);
                replay(store, 16);
            } finally {
                try (Statement drop = sql.createStatement()) {
                    drop.execute("DROP SCHEMA \"" + schema + "\" CASCADE");
                }
            }
        }
    }

    /** Each publisher appends one event at a time (as one POST does) for the duration. */
    private static void publish(PostgresEventStore store, int publishers, Duration run, String label) throws Exception {
        String data = "x".repeat(EVENT_BYTES);
        LongAdder events = new LongAdder();
        List<long[]> latencies = new ArrayList<>();
        long deadline = System.nanoTime() + run.toNanos();
        long started = System.nanoTime();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int p = 0; p < publishers; p++) {
                String topic = "publish-" + (p % 8);
                long[] mine = new long[400_000];
                latencies.add(mine);
                threads.submit(() -> {
                    int n = 0;
                    while (System.nanoTime() < deadline && n < mine.length) {
                        long t0 = System.nanoTime();
                        store.append(List.of(new NewEvent(topic, null, data, false)));
                        mine[n++] = System.nanoTime() - t0;
                        events.increment();
                    }
                    return null;
                });
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long[] all = latencies.stream()
                .flatMapToLong(l -> Arrays.stream(l).filter(v -> v > 0))
                .sorted()
                .toArray();
        System.out.printf(
                "%s, %2d publisher(s), %d-byte events: %,8.0f events/s  (append latency p50 %s, p99 %s; %,d events in %.1fs)%n",
                label,
                publishers,
                EVENT_BYTES,
                events.sum() / seconds,
                millis(all, 0.50),
                millis(all, 0.99),
                events.sum(),
                seconds);
    }

    /** 1,000 topics of 1,000 events each, written by PostgreSQL itself in one statement. */
    private static void bulkLoad(Connection sql, String schema) throws SQLException {
        long t0 = System.nanoTime();
        try (Statement load = sql.createStatement()) {
            load.execute("INSERT INTO \"" + schema + "\".events (topic, seq, type, data, json, created_at)"
                    + " SELECT 'bulk-' || t, s, NULL, repeat('x', " + EVENT_BYTES + "), false, now()"
                    + " FROM generate_series(1, " + BULK_TOPICS + ") t, generate_series(1, " + BULK_EVENTS_PER_TOPIC
                    + ") s");
            load.execute("INSERT INTO \"" + schema + "\".topics (topic, seq)" + " SELECT 'bulk-' || t, "
                    + BULK_EVENTS_PER_TOPIC + " FROM generate_series(1, " + BULK_TOPICS + ") t");
            load.execute("ANALYZE \"" + schema + "\".events");
            load.execute("ANALYZE \"" + schema + "\".topics");
        }
        System.out.printf(
                "bulk load: %s events in %.1fs; events table now %s rows, %s%n",
                String.format("%,d", BULK_TOPICS * BULK_EVENTS_PER_TOPIC),
                (System.nanoTime() - t0) / 1e9,
                query(sql, "SELECT to_char(count(*), 'FM9,999,999,999') FROM \"" + schema + "\".events"),
                query(sql, "SELECT pg_size_pretty(pg_total_relation_size('\"" + schema + "\".events'))"));
    }

    /** readAfter(random topic, random cursor, 101): what one reconnecting client costs. */
    private static void replay(PostgresEventStore store, int readers) throws Exception {
        for (int i = 0; i < 500; i++) {
            readOne(store); // warm-up
        }
        long[] latencies = new long[REPLAYS];
        LongAdder rows = new LongAdder();
        long started = System.nanoTime();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int r = 0; r < readers; r++) {
                int from = r * REPLAYS / readers;
                int to = (r + 1) * REPLAYS / readers;
                threads.submit(() -> {
                    for (int i = from; i < to; i++) {
                        long t0 = System.nanoTime();
                        rows.add(readOne(store));
                        latencies[i] = System.nanoTime() - t0;
                    }
                    return null;
                });
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Arrays.sort(latencies);
        System.out.printf(
                "replay, %2d reader(s), readAfter limit %d on 1M+ rows: p50 %s, p99 %s  (%,.0f replays/s, %.0f rows each)%n",
                readers,
                REPLAY_LIMIT,
                millis(latencies, 0.50),
                millis(latencies, 0.99),
                REPLAYS / seconds,
                rows.sum() / (double) REPLAYS);
    }

    private static int readOne(PostgresEventStore store) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String topic = "bulk-" + (1 + random.nextInt(BULK_TOPICS));
        long after = random.nextInt(BULK_EVENTS_PER_TOPIC - REPLAY_LIMIT);
        return store.readAfter(topic, after, REPLAY_LIMIT).size();
    }

    private static String millis(long[] sortedNanos, double quantile) {
        if (sortedNanos.length == 0) {
            return "n/a";
        }
        long nanos = sortedNanos[Math.min(sortedNanos.length - 1, (int) (sortedNanos.length * quantile))];
        return String.format("%.2fms", nanos / 1e6);
    }

    private static String query(Connection sql, String text) throws SQLException {
        try (Statement statement = sql.createStatement();
                var rows = statement.executeQuery(text)) {
            rows.next();
            return rows.getString(1);
        }
    }
}
