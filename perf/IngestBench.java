import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ingest and replay with the PostgreSQL store, through the HTTP API of a running server (started
 * by perf/ingest.sh, one per case). Not a test: it prints figures, and fails the run when what
 * the server acknowledged is not exactly what the table holds, or a replay is not the events
 * asked for.
 *
 * <pre>
 * publish --port P --publishers N --batch B --seconds S --warmup-seconds W --label L --jdbc URL --schema S --pid PID
 * replay  --port P --jdbc URL --schema S [--fill] --topics T --events-per-topic E --behind "10 100 1000"
 *         --reconnects R --concurrency C --label L
 * drop    --jdbc URL --schema S
 * </pre>
 *
 * Publishers are closed loops (the next request goes when the last was answered), each on its own
 * keep-alive connection and topic: batch 1 is {@code POST /v1/topics/{t}/events}, larger ones
 * {@code POST /v1/events}. A replay is one reconnect: connect, {@code GET /v1/sse} with
 * {@code Last-Event-ID} N behind the topic's head, and read until the head arrives (or the
 * {@code reset} that a cursor past the replay cap gets); its latency is from before the connect to
 * that last byte.
 */
public final class IngestBench {
    private static final int DATA_BYTES = 150;

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        String[] database = {"jdbc", Args.REQUIRED, "user", "postgres", "password", "", "schema", Args.REQUIRED};
        switch (command) {
            case "publish" ->
                publish(Args.parse(
                        "IngestBench",
                        rest,
                        with(
                                database,
                                "port",
                                Args.REQUIRED,
                                "pid",
                                "0",
                                "clk-tck",
                                "100",
                                "publishers",
                                Args.REQUIRED,
                                "batch",
                                Args.REQUIRED,
                                "seconds",
                                "5",
                                "warmup-seconds",
                                "3",
                                "label",
                                Args.REQUIRED)));
            case "replay" ->
                replay(Args.parse(
                        "IngestBench",
                        rest,
                        with(
                                database,
                                "port",
                                Args.REQUIRED,
                                "fill",
                                Args.FLAG,
                                "topics",
                                "100",
                                "events-per-topic",
                                "10000",
                                "behind",
                                Args.REQUIRED,
                                "reconnects",
                                "200",
                                "concurrency",
                                "1",
                                "label",
                                "")));
            case "drop" -> {
                Args opts = Args.parse("IngestBench", rest, database);
                sql(opts, "DROP SCHEMA IF EXISTS \"" + opts.get("schema") + "\" CASCADE");
            }
            default -> throw new IllegalArgumentException("publish, replay or drop, not " + command);
        }
    }

    private static String[] with(String[] common, String... more) {
        String[] all = Arrays.copyOf(common, common.length + more.length);
        System.arraycopy(more, 0, all, common.length, more.length);
        return all;
    }

    // ---- publish -------------------------------------------------------------------------------

    private static void publish(Args opts) throws Exception {
        int port = opts.intArg("port");
        int publishers = opts.intArg("publishers");
        int batch = opts.intArg("batch");
        long warmupNanos = (long) (opts.doubleArg("warmup-seconds") * 1e9);
        long windowNanos = (long) (opts.doubleArg("seconds") * 1e9);
        String label = opts.get("label");
        long pid = opts.longArg("pid");
        String data = "{\"v\":\"" + "x".repeat(DATA_BYTES - 8) + "\"}";

        long start = System.nanoTime();
        long windowStart = start + warmupNanos;
        long end = windowStart + windowNanos;
        long[] cpu = new long[2];
        List<Future<long[]>> results = new ArrayList<>();
        long[] acked = new long[publishers];
        Thread sampler = Thread.ofVirtual().start(() -> {
            sleepUntil(windowStart);
            cpu[0] = cpuTicks(pid);
            sleepUntil(end);
            cpu[1] = cpuTicks(pid);
        });
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int p = 0; p < publishers; p++) {
                int me = p;
                String topic = "ingest-" + label + "-" + p;
                String path = batch == 1 ? "/v1/topics/" + topic + "/events" : "/v1/events";
                String body = batch == 1 ? data : batchBody(topic, data, batch);
                results.add(threads.submit(() -> {
                    LongList latencies = new LongList();
                    try (Http http = new Http(port)) {
                        byte[] request = http.post(path, body);
                        while (System.nanoTime() < end) {
                            long t0 = System.nanoTime();
                            int status = http.exchange(request);
                            long t1 = System.nanoTime();
                            if (status != 201) {
                                throw new IllegalStateException(
                                        "POST " + path + " answered " + status + ": " + http.lastBody());
                            }
                            acked[me] += batch;
                            if (t0 >= windowStart && t1 <= end) {
                                latencies.add(t1 - t0);
                            }
                        }
                    }
                    return latencies.toArray();
                }));
            }
        }
        sampler.join();
        long[] all = results.stream()
                .flatMapToLong(f -> Arrays.stream(join(f)))
                .sorted()
                .toArray();
        long ackedTotal = Arrays.stream(acked).sum();
        double seconds = windowNanos / 1e9;
        double events = (double) all.length * batch;
        double cpuSeconds = (cpu[1] - cpu[0]) / opts.doubleArg("clk-tck");

        // Every acknowledged event must be in the table, once, with gapless seqs per topic.
        long stored;
        long badTopics;
        try (Connection sql = connect(opts);
                Statement st = sql.createStatement()) {
            String table = "\"" + opts.get("schema") + "\".events";
            stored = longOf(st, "SELECT count(*) FROM " + table + " WHERE topic LIKE 'ingest-" + label + "-%'");
            badTopics = longOf(
                    st,
                    "SELECT count(*) FROM (SELECT topic FROM " + table + " WHERE topic LIKE 'ingest-" + label
                            + "-%' GROUP BY topic HAVING min(seq) <> 1 OR max(seq) <> count(*)) gaps");
        }
        System.out.printf(
                "publish %-14s %2d publisher(s) x batch %3d: %,9.0f events/s  %,7.0f requests/s  request p50 %s p99 %s max %s"
                        + "  server CPU %.2f cores, %.1f us/event  (acked %,d, stored %,d)%n",
                label,
                publishers,
                batch,
                events / seconds,
                all.length / seconds,
                millis(all, 0.50),
                millis(all, 0.99),
                millis(all, 1.0),
                cpuSeconds / seconds,
                cpuSeconds * 1e6 / Math.max(1, events),
                ackedTotal,
                stored);
        if (stored != ackedTotal || badTopics != 0) {
            System.out.println("FAILED: acknowledged " + ackedTotal + " events, the table holds " + stored
                    + "; topics with a seq gap: " + badTopics);
            System.exit(1);
        }
        System.out.println("RESULT ok");
    }

    private static String batchBody(String topic, String data, int batch) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < batch; i++) {
            out.append(i == 0 ? "" : ",")
                    .append("{\"topic\":\"")
                    .append(topic)
                    .append("\",\"data\":")
                    .append(data)
                    .append('}');
        }
        return out.append(']').toString();
    }

    // ---- replay --------------------------------------------------------------------------------

    private static void replay(Args opts) throws Exception {
        int port = opts.intArg("port");
        int topics = opts.intArg("topics");
        int head = opts.intArg("events-per-topic");
        int reconnects = opts.intArg("reconnects");
        int concurrency = opts.intArg("concurrency");
        String label = opts.get("label");
        if (opts.flag("fill")) {
            fill(opts, topics, head);
        }
        for (int n = 0; n < Math.max(20, concurrency * 2); n++) {
            reconnect(port, topics, head, 10); // warm-up: JIT, pool, prepared statements
        }
        for (String behind : opts.get("behind").trim().split("\\s+")) {
            int n = Integer.parseInt(behind);
            long[] latencies = new long[reconnects];
            int[] outcome = new int[2]; // replays, resets
            long started = System.nanoTime();
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < concurrency; c++) {
                    int from = c * reconnects / concurrency;
                    int to = (c + 1) * reconnects / concurrency;
                    done.add(threads.submit(() -> {
                        for (int i = from; i < to; i++) {
                            long t0 = System.nanoTime();
                            boolean reset = reconnect(port, topics, head, n);
                            latencies[i] = System.nanoTime() - t0;
                            synchronized (outcome) {
                                outcome[reset ? 1 : 0]++;
                            }
                        }
                        return null;
                    }));
                }
                done.forEach(IngestBench::join);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            Arrays.sort(latencies);
            System.out.printf(
                    "replay %-8s %,6d behind, %2d at once: p50 %s p99 %s max %s  (%,.0f reconnects/s; %d replayed in full, %d reset)%n",
                    label,
                    n,
                    concurrency,
                    millis(latencies, 0.50),
                    millis(latencies, 0.99),
                    millis(latencies, 1.0),
                    reconnects / seconds,
                    outcome[0],
                    outcome[1]);
        }
        System.out.println("RESULT ok");
    }

    /** T topics of E events each (seqs 1..E), written by PostgreSQL itself: not through the API. */
    private static void fill(Args opts, int topics, int perTopic) throws SQLException {
        String schema = "\"" + opts.get("schema") + "\"";
        String data = "{\"v\":\"" + "x".repeat(DATA_BYTES - 8) + "\"}";
        long t0 = System.nanoTime();
        try (Connection sql = connect(opts);
                Statement st = sql.createStatement()) {
            st.execute("INSERT INTO " + schema + ".events (topic, seq, type, data, json, created_at)"
                    + " SELECT 'replay-' || t, s, NULL, '" + data + "', true, now()"
                    + " FROM generate_series(1, " + topics + ") t, generate_series(1, " + perTopic + ") s");
            st.execute("INSERT INTO " + schema + ".topics (topic, seq) SELECT 'replay-' || t, " + perTopic
                    + " FROM generate_series(1, " + topics + ") t");
            st.execute("ANALYZE " + schema + ".events");
            st.execute("ANALYZE " + schema + ".topics");
            System.out.printf(
                    "fill: %,d events (%d topics x %,d) in %.1fs; events table %s rows, %s%n",
                    (long) topics * perTopic,
                    topics,
                    perTopic,
                    (System.nanoTime() - t0) / 1e9,
                    longOf(st, "SELECT count(*) FROM " + schema + ".events"),
                    stringOf(st, "SELECT pg_size_pretty(pg_total_relation_size('" + schema + ".events'))"));
        }
    }

    /**
     * One reconnect N behind the head of a random topic. Returns whether it got a reset; throws
     * unless it got exactly the N missed events in order (or, past the cap, a reset).
     */
    private static boolean reconnect(int port, int topics, int head, int behind) throws IOException {
        String topic = "replay-" + (1 + ThreadLocalRandom.current().nextInt(topics));
        long after = head - behind;
        try (Http http = new Http(port)) {
            http.send(("GET /v1/sse?topic=" + topic + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                            + "Last-Event-ID: " + after + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            int status = http.readHeaders();
            if (status != 200) {
                throw new IllegalStateException("GET /v1/sse answered " + status);
            }
            long expected = after + 1;
            long seq = -1; // the id of the frame being read; a reset frame has one too
            for (String line; (line = http.readBodyLine()) != null; ) {
                if (line.startsWith("id: ")) {
                    seq = Long.parseLong(line.substring(line.indexOf('~') + 1).trim());
                } else if (line.startsWith("event: reset")) {
                    return true;
                } else if (line.startsWith("data:") && seq >= 0) {
                    if (seq != expected) {
                        throw new IllegalStateException(
                                topic + ": replay after " + after + " sent seq " + seq + ", expected " + expected);
                    }
                    if (seq == head) {
                        return false;
                    }
                    expected++;
                    seq = -1;
                }
            }
            throw new IllegalStateException(topic + ": the stream ended before seq " + head);
        }
    }

    // ---- a minimal HTTP/1.1 client: one keep-alive socket, no per-request garbage beyond the response --

    private static final class Http implements AutoCloseable {
        private final Socket socket = new Socket();
        private final InputStream in;
        private final OutputStream out;
        private final byte[] buf = new byte[64 * 1024];
        private int pos;
        private int limit;
        private long contentLength;
        private boolean chunked;
        private long chunkLeft; // bytes left in the current chunk (chunked body)
        private String lastBody = "";

        Http(int port) throws IOException {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(30_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        byte[] post(String path, String body) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            byte[] head = ("POST " + path
                            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                            + bytes.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] request = Arrays.copyOf(head, head.length + bytes.length);
            System.arraycopy(bytes, 0, request, head.length, bytes.length);
            return request;
        }

        /** Sends the request and reads the whole response; returns its status. */
        int exchange(byte[] request) throws IOException {
            send(request);
            int status = readHeaders();
            if (chunked) {
                throw new IOException("a chunked publish response; this client reads Content-Length only");
            }
            StringBuilder body = new StringBuilder();
            for (long left = contentLength; left > 0; left--) {
                body.append((char) next());
            }
            lastBody = body.toString();
            return status;
        }

        String lastBody() {
            return lastBody;
        }

        void send(byte[] request) throws IOException {
            out.write(request);
            out.flush();
        }

        /** Reads the status line and headers; returns the status. */
        int readHeaders() throws IOException {
            String status = line(false);
            contentLength = 0;
            chunked = false;
            chunkLeft = 0;
            for (String header; !(header = line(false)).isEmpty(); ) {
                String lower = header.toLowerCase();
                if (lower.startsWith("content-length:")) {
                    contentLength = Long.parseLong(lower.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                }
            }
            return Integer.parseInt(status.split(" ")[1]);
        }

        /** The next line of a chunked (or unframed) body, without its LF; null at its end. */
        String readBodyLine() throws IOException {
            return line(true);
        }

        private String line(boolean body) throws IOException {
            StringBuilder line = new StringBuilder();
            while (true) {
                int b = body ? bodyByte() : next();
                if (b < 0) {
                    return line.isEmpty() ? null : line.toString();
                }
                if (b == '\n') {
                    int end = line.length();
                    return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
                }
                line.append((char) b);
            }
        }

        private int bodyByte() throws IOException {
            if (!chunked) {
                return next();
            }
            if (chunkLeft == 0) {
                String size = line(false);
                if (size.isEmpty()) {
                    size = line(false); // the CRLF after the previous chunk
                }
                chunkLeft = Long.parseLong(size.split(";")[0].trim(), 16);
                if (chunkLeft == 0) {
                    return -1;
                }
            }
            chunkLeft--;
            return next();
        }

        private int next() throws IOException {
            if (pos == limit) {
                limit = in.read(buf);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    return -1;
                }
            }
            return buf[pos++] & 0xff;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    // ---- small things --------------------------------------------------------------------------

    private static final class LongList {
        private long[] values = new long[1024];
        private int size;

        void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        long[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    private static Connection connect(Args opts) throws SQLException {
        return DriverManager.getConnection(opts.get("jdbc"), opts.get("user"), opts.get("password"));
    }

    private static void sql(Args opts, String statement) throws SQLException {
        try (Connection sql = connect(opts);
                Statement st = sql.createStatement()) {
            st.execute(statement);
        }
    }

    private static long longOf(Statement st, String query) throws SQLException {
        try (ResultSet rows = st.executeQuery(query)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static String stringOf(Statement st, String query) throws SQLException {
        try (ResultSet rows = st.executeQuery(query)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static long cpuTicks(long pid) {
        if (pid <= 0) {
            return 0;
        }
        try {
            return ProcStats.of(pid).cpuTicks();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static void sleepUntil(long nanoTime) {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            try {
                Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static <T> T join(Future<T> future) {
        try {
            return future.get();
        } catch (Exception e) {
            throw new IllegalStateException(e.getCause() != null ? e.getCause() : e);
        }
    }

    private static String millis(long[] sortedNanos, double quantile) {
        if (sortedNanos.length == 0) {
            return "n/a";
        }
        long nanos = sortedNanos[Math.min(sortedNanos.length - 1, (int) (sortedNanos.length * quantile))];
        return String.format("%.2fms", nanos / 1e6);
    }
}
