import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fan-out benchmark: S SSE subscribers on one topic, one publisher POSTing at a fixed rate R for
 * T seconds. Prints deliveries/s, end-to-end latency (publish send to subscriber read, measured
 * with an epoch clock carried in the event data), missed and duplicate events per subscriber, and
 * the server's overflows, CPU time and RSS.
 *
 * <p>Run: {@code java perf/FanoutBench.java --port N --pid SERVER_PID [--subscribers 1000]
 * [--rate 200] [--seconds 10] ...} (see perf/README.md). JDK only. Exit status: 0 when every figure
 * was measured and no event was missed or duplicated, 3 when figures were measured but delivery
 * was not exact, 1 when a figure could not be measured, 2 for bad arguments.
 */
public class FanoutBench {

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parseArgs(args,
                "host", "127.0.0.1", "port", "", "pid", "", "subscribers", "1000", "rate", "200",
                "seconds", "10", "warmup-seconds", "2", "data-bytes", "150", "topic", "bench",
                "drain-seconds", "30", "max-in-flight", "64", "clk-tck", "100");
        var bench = new FanoutBench(opts);
        System.exit(bench.run());
    }

    final String host;
    final int port;
    final long pid;
    final int subscriberCount;
    final int rate;
    final int seconds;
    final int warmupSeconds;
    final int dataBytes;
    final String topic;
    final int drainSeconds;
    final int maxInFlight;
    final int clkTck;
    final HttpClient http;

    /** Latency histogram in microseconds, shared by all subscriber threads. */
    final Histogram latency = new Histogram();
    final Histogram postLatency = new Histogram();
    /** Events read by all subscribers. */
    final LongAdder received = new LongAdder();

    FanoutBench(Map<String, String> o) {
        host = o.get("host");
        port = intArg(o, "port");
        pid = intArg(o, "pid");
        subscriberCount = intArg(o, "subscribers");
        rate = intArg(o, "rate");
        seconds = intArg(o, "seconds");
        warmupSeconds = intArg(o, "warmup-seconds");
        dataBytes = intArg(o, "data-bytes");
        topic = o.get("topic");
        drainSeconds = intArg(o, "drain-seconds");
        maxInFlight = intArg(o, "max-in-flight");
        clkTck = intArg(o, "clk-tck");
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    int run() throws Exception {
        System.out.printf(Locale.ROOT, "fanout: %d SSE subscribers on topic '%s', %d events/s for %d s, %d-byte data%n",
                subscriberCount, topic, rate, seconds, dataBytes);
        Proc server = new Proc(pid, clkTck);
        Proc client = new Proc(ProcessHandle.current().pid(), clkTck);
        long rssIdle = server.rssKb();
        Map<String, Long> stats0 = stats();

        // 1. Connect the subscribers, a bounded number at a time (the listen backlog is finite).
        long connectStart = System.nanoTime();
        Semaphore connecting = new Semaphore(200);
        CountDownLatch opened = new CountDownLatch(subscriberCount);
        List<Subscriber> subs = new ArrayList<>(subscriberCount);
        List<Thread> threads = new ArrayList<>(subscriberCount);
        for (int i = 0; i < subscriberCount; i++) {
            Subscriber sub = new Subscriber(i, connecting, opened);
            subs.add(sub);
            threads.add(Thread.ofVirtual().name("sub-" + i).start(sub));
        }
        if (!opened.await(120, TimeUnit.SECONDS)) {
            return fail("only " + (subscriberCount - opened.getCount()) + " of " + subscriberCount + " streams opened within 120 s");
        }
        long failedOpen = subs.stream().filter(s -> s.error != null).count();
        if (failedOpen > 0) {
            return fail(failedOpen + " streams failed to open; first: " + subs.stream().filter(s -> s.error != null).findFirst().get().error);
        }
        // A stream counts once the hub registered it: only then is every later event queued for it.
        long expectedSse = stats0.get("subscribers.sse") + subscriberCount;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (stats().get("subscribers.sse") < expectedSse) {
            if (System.nanoTime() > deadline) {
                return fail("the server registered " + stats().get("subscribers.sse") + " SSE subscribers, expected " + expectedSse);
            }
            Thread.sleep(50);
        }
        System.out.printf(Locale.ROOT, "  connected      %d streams in %.2f s%n", subscriberCount, (System.nanoTime() - connectStart) / 1e9);

        // 2. Warm up (JIT on both sides) at the same rate; these events count for exactness only.
        Publisher publisher = new Publisher();
        if (warmupSeconds > 0) {
            publisher.publish((long) rate * warmupSeconds);
            if (!drained(subs, publisher.maxSeq.get())) {
                return fail("the warm-up events did not all arrive within " + drainSeconds + " s");
            }
            latency.reset();
            postLatency.reset();
        }
        long warmPublished = publisher.published.get();
        long warmFailed = publisher.failed.get();
        long warmBehind = publisher.behind.get();

        // 3. Publish at a fixed rate; measure from the first send until the last event is read.
        Map<String, Long> stats1 = stats();
        long serverCpu1 = server.cpuTicks();
        long clientCpu1 = client.cpuTicks();
        long rssConnected = server.rssKb();
        long received1 = received.sum();
        long firstSend = epochNanos();
        long wallStart = System.nanoTime();
        publisher.publish((long) rate * seconds);
        long publishWall = System.nanoTime() - wallStart;
        long published = publisher.published.get() - warmPublished;
        long publishFailed = publisher.failed.get() - warmFailed;
        long publishBehind = publisher.behind.get() - warmBehind;
        if (published == 0) {
            return fail("no publish succeeded; first error: " + publisher.firstError);
        }
        long maxSeq = publisher.maxSeq.get();
        long minSeq = publisher.minSeq.get();
        boolean drained = drained(subs, maxSeq);
        long wallEnd = System.nanoTime();
        long serverCpu2 = server.cpuTicks();
        long clientCpu2 = client.cpuTicks();
        long rssAfter = server.rssKb();
        int serverThreads = server.threads();
        long receivedMeasured = received.sum() - received1;
        Map<String, Long> stats2 = stats();

        // 4. Close the streams and collect each one's tally.
        subs.forEach(Subscriber::stop);
        for (Thread t : threads) {
            t.join(10_000);
        }
        long missed = 0, duplicates = 0, resets = 0, lost = 0, lastRead = 0;
        String firstLoss = null;
        for (Subscriber s : subs) {
            duplicates += s.duplicates;
            resets += s.resets;
            long last = s.lastSeq < 0 ? minSeq - 1 : s.lastSeq;
            missed += s.gaps + (s.firstSeq < 0 ? 0 : Math.max(0, s.firstSeq - minSeq)) + Math.max(0, maxSeq - last);
            lastRead = Math.max(lastRead, s.lastReadEpochNanos);
            if (s.endedEarly) {
                lost++;
                if (firstLoss == null) {
                    firstLoss = "sub-" + s.index + ": " + s.error;
                }
            }
        }
        long expected = published * subscriberCount;
        double deliverySeconds = (lastRead - firstSend) / 1e9;
        double windowSeconds = (wallEnd - wallStart) / 1e9;
        boolean contiguous = maxSeq - minSeq + 1 == published + warmPublished;

        System.out.printf(Locale.ROOT, "  published      %d events in %.2f s (%.1f/s, target %d/s), %d failed, %d not sent (publisher held back"
                + " by %d unanswered POSTs); POST round trip p50 %s p99 %s max %s%n",
                published, publishWall / 1e9, published / (publishWall / 1e9), rate, publishFailed, publishBehind, maxInFlight,
                ms(postLatency.quantile(0.50)), ms(postLatency.quantile(0.99)), ms(postLatency.max()));
        System.out.printf(Locale.ROOT, "  delivered      %d of %d expected (client count); server deliveries %+d%s%n",
                receivedMeasured, expected, stats2.get("deliveries") - stats1.get("deliveries"),
                drained ? "" : "; NOT DRAINED within " + drainSeconds + " s");
        System.out.printf(Locale.ROOT, "  deliveries/s   %.0f achieved over %.2f s from first send to last read (offered %d)%n",
                receivedMeasured / deliverySeconds, deliverySeconds, (long) subscriberCount * rate);
        System.out.printf(Locale.ROOT, "  latency        p50 %s  p99 %s  p99.9 %s  max %s  (%d samples, publish send -> subscriber read)%n",
                ms(latency.quantile(0.50)), ms(latency.quantile(0.99)), ms(latency.quantile(0.999)), ms(latency.max()), latency.count());
        System.out.printf(Locale.ROOT, "  correctness    missed %d, duplicates/out-of-order %d, resets %d, streams lost %d"
                + " (over all %d events, warm-up included)%s%n", missed, duplicates, resets, lost, published + warmPublished, contiguous ? "" : ", published seqs NOT contiguous (" + minSeq + ".." + maxSeq + ")");
        System.out.printf(Locale.ROOT, "  server         overflows %+d, catch_ups %+d, resets %+d; CPU %.2f s in %.2f s (%.2f cores); RSS %d MB (idle %d MB, connected %d MB); %d threads%n",
                stats2.get("overflows") - stats1.get("overflows"), stats2.get("catch_ups") - stats1.get("catch_ups"),
                stats2.get("resets") - stats1.get("resets"), (serverCpu2 - serverCpu1) / (double) clkTck, windowSeconds,
                (serverCpu2 - serverCpu1) / (double) clkTck / windowSeconds, rssAfter / 1024, rssIdle / 1024, rssConnected / 1024, serverThreads);
        System.out.printf(Locale.ROOT, "  hub            backfilled %+d, duplicates_dropped %+d (publishes of one topic that reached the hub out of seq order)%n",
                stats2.get("backfilled") - stats1.get("backfilled"), stats2.get("duplicates_dropped") - stats1.get("duplicates_dropped"));
        System.out.printf(Locale.ROOT, "  client         CPU %.2f s (%.2f cores) on the same machine%n",
                (clientCpu2 - clientCpu1) / (double) clkTck, (clientCpu2 - clientCpu1) / (double) clkTck / windowSeconds);
        if (firstLoss != null) {
            System.out.println("  first lost stream: " + firstLoss);
        }
        if (publisher.firstError != null) {
            System.out.println("  first failed publish: " + publisher.firstError);
        }
        if (latency.count() == 0) {
            return fail("no event reached a subscriber: no latency to report");
        }
        if (missed != 0 || duplicates != 0 || resets != 0 || lost != 0 || !contiguous || publisher.failed.get() != 0 || !drained) {
            System.out.println("RESULT inexact: delivery was not exactly once (see above)");
            return 3;
        }
        System.out.println("RESULT ok");
        return 0;
    }

    /** Waits until every open stream has read {@code seq}; false at the drain timeout. */
    boolean drained(List<Subscriber> subs, long seq) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
        while (!subs.stream().allMatch(s -> s.lastSeen >= seq || s.ended)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** One SSE stream on a raw socket; its virtual thread parses {@code id:}/{@code data:} lines. */
    final class Subscriber implements Runnable {
        final int index;
        final Semaphore connecting;
        final CountDownLatch opened;
        volatile Socket socket;
        volatile boolean stopping;
        volatile boolean ended;
        volatile long lastSeen = -1;
        // Written by this subscriber's thread only; read after join().
        long firstSeq = -1, lastSeq = -1, gaps, duplicates, resets, lastReadEpochNanos;
        boolean endedEarly;
        String error;

        Subscriber(int index, Semaphore connecting, CountDownLatch opened) {
            this.index = index;
            this.connecting = connecting;
            this.opened = opened;
        }

        @Override
        public void run() {
            boolean open = false;
            try (Socket s = new Socket()) {
                socket = s;
                connecting.acquireUninterruptibly();
                try {
                    s.connect(new InetSocketAddress(host, port), 10_000);
                    s.setSoTimeout(0);
                    OutputStream out = s.getOutputStream();
                    out.write(("GET /v1/sse?topic=" + topic + " HTTP/1.1\r\nHost: " + host + ":" + port
                            + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    HttpBody body = new HttpBody(s.getInputStream());
                    body.readHead(200);
                    open = true;
                    opened.countDown();
                    connecting.release();
                    readEvents(body);
                } finally {
                    if (!open) {
                        connecting.release();
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (!stopping) {
                    error = e.toString();
                    endedEarly = open;
                }
            } finally {
                ended = true;
                if (!open) {
                    if (error == null) {
                        error = "closed before the stream opened";
                    }
                    opened.countDown();
                }
            }
        }

        private void readEvents(HttpBody body) throws IOException {
            long id = -1;
            long sentAt = -1;
            boolean reset = false;
            byte[] line;
            int n;
            while ((n = body.readLine()) >= 0) {
                line = body.line;
                if (n == 0) { // end of a frame
                    if (reset) {
                        resets++;
                        lastSeq = Math.max(lastSeq, id);
                        lastSeen = lastSeq;
                    } else if (id >= 0) {
                        event(id, sentAt);
                    }
                    id = -1;
                    sentAt = -1;
                    reset = false;
                } else if (startsWith(line, n, ID)) {
                    id = parseLong(line, seqStart(line, n), n);
                } else if (startsWith(line, n, DATA)) {
                    sentAt = sentAt(line, n);
                } else if (startsWith(line, n, EVENT_RESET)) {
                    reset = true;
                }
            }
            if (!stopping) {
                throw new IOException("the server ended the stream");
            }
        }

        private void event(long seq, long sentAt) {
            long now = epochNanos();
            if (sentAt > 0) {
                latency.record((now - sentAt) / 1000);
            }
            received.increment();
            lastReadEpochNanos = now;
            if (firstSeq < 0) {
                firstSeq = seq;
                lastSeq = seq;
            } else if (seq == lastSeq + 1) {
                lastSeq = seq;
            } else if (seq <= lastSeq) {
                duplicates++;
            } else {
                gaps += seq - lastSeq - 1;
                lastSeq = seq;
            }
            lastSeen = lastSeq;
        }

        void stop() {
            stopping = true;
            Socket s = socket;
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }
    }

    static final byte[] ID = "id: ".getBytes(StandardCharsets.US_ASCII);
    static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    static final byte[] EVENT_RESET = "event: reset".getBytes(StandardCharsets.US_ASCII);
    static final byte[] T_KEY = "\"t\":".getBytes(StandardCharsets.US_ASCII);

    static boolean startsWith(byte[] line, int n, byte[] prefix) {
        if (n < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (line[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Where the seq starts in an {@code id:} line: after the store's epoch and its {@code ~}. */
    static int seqStart(byte[] line, int n) {
        for (int i = ID.length; i < n; i++) {
            if (line[i] == '~') {
                return i + 1;
            }
        }
        return ID.length;
    }

    static long parseLong(byte[] b, int from, int to) {
        long v = 0;
        int i = from;
        for (; i < to && b[i] >= '0' && b[i] <= '9'; i++) {
            v = v * 10 + (b[i] - '0');
        }
        if (i == from) {
            throw new IllegalStateException("not a number: " + new String(b, from, to - from, StandardCharsets.UTF_8));
        }
        return v;
    }

    /** The send timestamp in a data line: the digits after {@code "t":}, or -1. */
    static long sentAt(byte[] line, int n) {
        outer:
        for (int i = DATA.length; i + T_KEY.length < n; i++) {
            for (int j = 0; j < T_KEY.length; j++) {
                if (line[i + j] != T_KEY[j]) {
                    continue outer;
                }
            }
            return parseLong(line, i + T_KEY.length, n);
        }
        return -1;
    }

    /** The publisher: paces sends at the target rate; each POST carries its own send time. */
    final class Publisher {
        final AtomicLong published = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final LongAccumulator maxSeq = new LongAccumulator(Math::max, Long.MIN_VALUE);
        final LongAccumulator minSeq = new LongAccumulator(Math::min, Long.MAX_VALUE);
        final AtomicLong behind = new AtomicLong();
        final Semaphore inFlight = new Semaphore(maxInFlight);
        final URI uri = URI.create("http://" + host + ":" + port + "/v1/topics/" + topic + "/events");
        volatile String firstError;

        /**
         * Sends up to {@code total} events at the target rate, for at most the time that takes on
         * schedule: a publisher held back by slow answers sends fewer (counted in {@link #behind}).
         * Then waits for the answers.
         */
        void publish(long total) throws InterruptedException {
            long period = 1_000_000_000L / rate;
            long start = System.nanoTime();
            long end = start + total * period;
            long i = 0;
            for (; i < total; i++) {
                long due = start + i * period;
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                // At most maxInFlight unanswered: a slow server holds the publisher back.
                if (!inFlight.tryAcquire(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    break;
                }
                long sent = epochNanos();
                HttpRequest request = HttpRequest.newBuilder(uri)
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(data(sent)))
                        .build();
                http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
                    try {
                        postLatency.record((epochNanos() - sent) / 1000);
                        if (error == null && response.statusCode() == 201) {
                            Matcher m = SEQ.matcher(response.body());
                            if (m.find()) {
                                long seq = Long.parseLong(m.group(1));
                                maxSeq.accumulate(seq);
                                minSeq.accumulate(seq);
                                published.incrementAndGet();
                                return;
                            }
                        }
                        failed.incrementAndGet();
                        if (firstError == null) {
                            firstError = error != null ? error.toString() : response.statusCode() + " " + response.body();
                        }
                    } finally {
                        inFlight.release();
                    }
                });
            }
            behind.addAndGet(total - i);
            if (!inFlight.tryAcquire(maxInFlight, 60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("publishes still in flight 60 s after the last send");
            }
            inFlight.release(maxInFlight);
        }

        /** About dataBytes of JSON: the send time and padding. */
        String data(long sent) {
            StringBuilder b = new StringBuilder(dataBytes + 16).append("{\"t\":").append(sent).append(",\"pad\":\"");
            while (b.length() < dataBytes - 2) {
                b.append('x');
            }
            return b.append("\"}").toString();
        }
    }

    static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");
    static final Pattern NUMBER = Pattern.compile("\"([a-z_]+)\":(\\d+)");

    /** GET /v1/stats, flattened: {@code subscribers.sse}, {@code deliveries}, ... */
    Map<String, Long> stats() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/v1/stats"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("/v1/stats answered " + r.statusCode());
        }
        Map<String, Long> out = new HashMap<>();
        Matcher sub = Pattern.compile("\"subscribers\":\\{\"sse\":(\\d+),\"ws\":(\\d+)").matcher(r.body());
        if (!sub.find()) {
            throw new IllegalStateException("/v1/stats has no subscribers.sse: " + r.body());
        }
        out.put("subscribers.sse", Long.parseLong(sub.group(1)));
        Matcher m = NUMBER.matcher(r.body());
        while (m.find()) {
            out.putIfAbsent(m.group(1), Long.parseLong(m.group(2)));
        }
        for (String key : List.of("deliveries", "overflows", "catch_ups", "resets", "backfilled", "duplicates_dropped")) {
            if (!out.containsKey(key)) {
                throw new IllegalStateException("/v1/stats has no '" + key + "': " + r.body());
            }
        }
        return out;
    }

    /**
     * An HTTP/1.1 response read from a socket: the head, then the body (chunked or not) as lines.
     * Lines are returned in {@link #line}, without CR/LF, to avoid a String per line.
     */
    static final class HttpBody {
        final InputStream in;
        final byte[] buf = new byte[8192];
        int pos, lim;
        boolean chunked;
        long chunkLeft;
        boolean afterChunk;
        byte[] line = new byte[512];

        HttpBody(InputStream in) {
            this.in = in;
        }

        void readHead(int expectedStatus) throws IOException {
            String status = rawLine();
            if (status == null || !status.startsWith("HTTP/1.1 " + expectedStatus)) {
                throw new IOException("expected " + expectedStatus + ", got: " + status);
            }
            String header;
            while ((header = rawLine()) != null && !header.isEmpty()) {
                if (header.toLowerCase(Locale.ROOT).matches("transfer-encoding:\\s*chunked\\s*")) {
                    chunked = true;
                }
            }
            if (header == null) {
                throw new IOException("the connection closed inside the response head");
            }
        }

        private boolean fill() throws IOException {
            int n = in.read(buf, 0, buf.length);
            if (n <= 0) {
                return false;
            }
            pos = 0;
            lim = n;
            return true;
        }

        /** One CRLF-terminated line of the head or of chunk framing; null at EOF. */
        private String rawLine() throws IOException {
            StringBuilder b = new StringBuilder(64);
            while (true) {
                if (pos == lim && !fill()) {
                    return null;
                }
                byte c = buf[pos++];
                if (c == '\n') {
                    int len = b.length();
                    return len > 0 && b.charAt(len - 1) == '\r' ? b.substring(0, len - 1) : b.toString();
                }
                b.append((char) c);
            }
        }

        private boolean nextChunk() throws IOException {
            if (afterChunk && !"".equals(rawLine())) {
                throw new IOException("bad chunk framing");
            }
            String size = rawLine();
            if (size == null) {
                return false;
            }
            int semi = size.indexOf(';');
            chunkLeft = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            afterChunk = true;
            return chunkLeft > 0; // 0: the last chunk, the stream ended
        }

        /** The next body line into {@link #line}; its length, or -1 at the end of the body. */
        int readLine() throws IOException {
            int n = 0;
            while (true) {
                if (chunked && chunkLeft == 0 && !nextChunk()) {
                    return n > 0 ? n : -1;
                }
                if (pos == lim && !fill()) {
                    return n > 0 ? n : -1;
                }
                int end = chunked ? (int) Math.min(lim, pos + chunkLeft) : lim;
                int i = pos;
                while (i < end && buf[i] != '\n') {
                    i++;
                }
                int count = i - pos;
                if (n + count > line.length) {
                    line = java.util.Arrays.copyOf(line, Math.max(line.length * 2, n + count));
                }
                System.arraycopy(buf, pos, line, n, count);
                n += count;
                boolean found = i < end;
                int consumed = count + (found ? 1 : 0);
                pos += consumed;
                if (chunked) {
                    chunkLeft -= consumed;
                }
                if (found) {
                    return n > 0 && line[n - 1] == '\r' ? n - 1 : n;
                }
            }
        }
    }

    /** Log-linear histogram of non-negative values (microseconds here), about 0.2% precision. */
    static final class Histogram {
        static final int LINEAR = 1024;
        static final int SUB = 512;
        final AtomicLongArray counts = new AtomicLongArray(LINEAR + 54 * SUB);
        final LongAccumulator max = new LongAccumulator(Math::max, 0);
        final AtomicLong count = new AtomicLong();

        void record(long v) {
            v = Math.max(0, v);
            counts.incrementAndGet(index(v));
            max.accumulate(v);
            count.incrementAndGet();
        }

        static int index(long v) {
            if (v < LINEAR) {
                return (int) v;
            }
            int msb = 63 - Long.numberOfLeadingZeros(v); // >= 10
            int shift = msb - 9;
            return LINEAR + (msb - 10) * SUB + (int) ((v >>> shift) - SUB);
        }

        static long valueAt(int index) {
            if (index < LINEAR) {
                return index;
            }
            int msb = (index - LINEAR) / SUB + 10;
            long top = (index - LINEAR) % SUB + SUB;
            return top << (msb - 9);
        }

        long count() {
            return count.get();
        }

        /** Empties it; only while nothing records. */
        void reset() {
            for (int i = 0; i < counts.length(); i++) {
                counts.set(i, 0);
            }
            max.reset();
            count.set(0);
        }

        long max() {
            return max.get();
        }

        long quantile(double q) {
            long total = 0;
            for (int i = 0; i < counts.length(); i++) {
                total += counts.get(i);
            }
            if (total == 0) {
                return -1;
            }
            long rank = (long) Math.ceil(q * total);
            long seen = 0;
            for (int i = 0; i < counts.length(); i++) {
                seen += counts.get(i);
                if (seen >= rank) {
                    return Math.min(valueAt(i), max());
                }
            }
            return max();
        }
    }

    /** A process's counters from /proc: CPU time (utime + stime), RSS, threads. */
    record Proc(long pid, int clkTck) {
        long cpuTicks() throws IOException {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of proc(5)
        }

        long rssKb() throws IOException {
            return statusField("VmRSS:");
        }

        int threads() throws IOException {
            return (int) statusField("Threads:");
        }

        private long statusField(String name) throws IOException {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith(name)) {
                    return Long.parseLong(l.substring(name.length()).trim().split("\\s+")[0]);
                }
            }
            throw new IllegalStateException("/proc/" + pid + "/status has no " + name);
        }
    }

    static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    static String ms(long micros) {
        return micros < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f ms", micros / 1000.0);
    }

    static int fail(String why) {
        System.out.println("FAILED: " + why);
        return 1;
    }

    static int intArg(Map<String, String> o, String name) {
        try {
            return Integer.parseInt(o.get(name));
        } catch (NumberFormatException e) {
            System.err.println("--" + name + " needs a whole number, got '" + o.get(name) + "'");
            System.exit(2);
            return 0;
        }
    }

    /** {@code --name value} pairs over the given name/default pairs; "" marks a required one. */
    static Map<String, String> parseArgs(String[] args, String... namesAndDefaults) {
        Map<String, String> defaults = new java.util.LinkedHashMap<>();
        for (int i = 0; i < namesAndDefaults.length; i += 2) {
            defaults.put(namesAndDefaults[i], namesAndDefaults[i + 1]);
        }
        Map<String, String> out = new HashMap<>(defaults);
        for (int i = 0; i < args.length; i++) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : null;
            if (name == null || !defaults.containsKey(name) || i + 1 == args.length) {
                System.err.println("usage: java FanoutBench.java --port N --pid SERVER_PID [--" + String.join(" V] [--", defaults.keySet()) + " V]");
                System.exit(2);
            }
            out.put(name, args[++i]);
        }
        for (var e : out.entrySet()) {
            if (e.getValue().isEmpty()) {
                System.err.println("--" + e.getKey() + " is required");
                System.exit(2);
            }
        }
        return out;
    }
}
