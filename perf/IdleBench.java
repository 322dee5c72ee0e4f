import java.io.DataInputStream;
import java.io.EOFException;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Idle-connection memory: opens N idle SSE or WebSocket streams to a running wirehub and prints
 * what each costs the server in heap (jcmd GC.run, then GC.heap_info) and in RSS (VmRSS). Then
 * closes them and checks that the server returns to zero subscribers.
 *
 * <p>Run: {@code java perf/IdleBench.java --port N --pid SERVER_PID --transport sse|sse-h2|ws
 * --connections 2000}. {@code sse-h2}: the streams share HTTP/2 connections (h2c, the JDK's client),
 * as a browser's do over https. JDK only; jcmd is taken from this JDK. The WebSocket client answers the
 * server's pings (as browsers do), so the streams stay open past the pong deadline. Exit status:
 * 0 all measured, 1 a figure could not be measured or a stream failed, 2 bad arguments.
 */
public class IdleBench {
    public static void main(String[] args) throws Exception {
        Args o = Args.parse(
                "IdleBench",
                args,
                "port",
                Args.REQUIRED,
                "pid",
                Args.REQUIRED,
                "transport",
                "sse",
                "connections",
                "2000",
                "warmup",
                "200",
                "connecting",
                "200",
                "host",
                "127.0.0.1",
                "topic",
                "idle",
                "close-wait-seconds",
                "60",
                "breakdown",
                "false");
        String host = o.get("host"), transport = o.choice("transport", "sse", "sse-h2", "ws"), topic = o.get("topic");
        int port = o.intArg("port"), connections = o.intArg("connections"), warmup = o.intArg("warmup");
        int closeWaitSeconds = o.intArg("close-wait-seconds"), connecting = o.intArg("connecting");
        long pid = o.longArg("pid");
        boolean breakdown = o.boolArg("breakdown");
        try {
            System.exit(new IdleBench(host, port, pid, transport, topic, breakdown, connecting)
                    .run(connections, warmup, closeWaitSeconds));
        } catch (MeasurementException e) {
            System.out.println("FAILED: " + e.getMessage());
            System.exit(1);
        }
    }

    final String host;
    final int port;
    final long pid;
    final String transport;
    final String topic;
    final boolean breakdown;
    final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");

    final int maxConnecting;

    IdleBench(String host, int port, long pid, String transport, String topic, boolean breakdown, int maxConnecting) {
        this.breakdown = breakdown;
        this.maxConnecting = maxConnecting;
        this.host = host;
        this.port = port;
        this.pid = pid;
        this.transport = transport;
        this.topic = topic;
    }

    int run(int connections, int warmup, int closeWaitSeconds) throws Exception {
        String name =
                switch (transport) {
                    case "sse" -> "SSE";
                    case "sse-h2" -> "SSE over HTTP/2";
                    default -> "WebSocket";
                };
        System.out.printf(Locale.ROOT, "idle: %d %s connections to one topic%n", connections, name);
        jcmd("VM.version"); // the first attach starts the server's attach listener: not a stream's cost

        // Warm-up: open and close some streams so the classes and JIT code of this path are loaded.
        if (warmup > 0) {
            Streams warm = open(warmup);
            warm.closeAll();
            awaitSubscribers(0, closeWaitSeconds);
        }
        Sample before = sample();
        Map<String, long[]> classesBefore = breakdown ? classHistogram() : null;
        Map<String, Long> nativeBefore = breakdown ? nativeMemory() : null;
        long t0 = System.nanoTime();
        Streams streams = open(connections);
        double openSeconds = (System.nanoTime() - t0) / 1e9;
        awaitSubscribers(connections, 60);
        Sample after = sample();
        Map<String, long[]> classesAfter = breakdown ? classHistogram() : null;
        Map<String, Long> nativeAfter = breakdown ? nativeMemory() : null;
        if (streams.ended.get() > 0) {
            throw new MeasurementException(
                    streams.ended.get() + " streams ended while idle; first: " + streams.firstError.get());
        }
        System.out.printf(
                Locale.ROOT,
                "  opened       %d in %.2f s (%.0f/s), warm-up %d opened and closed first%n",
                connections,
                openSeconds,
                connections / openSeconds,
                warmup);
        System.out.println("  before       " + before);
        System.out.println("  connected    " + after);
        System.out.printf(
                Locale.ROOT,
                "  per stream   heap %.1f KB, RSS %.1f KB  (%s)%n",
                (after.heapUsedKb - before.heapUsedKb) / (double) connections,
                (after.rssKb - before.rssKb) / (double) connections,
                name);
        if (breakdown) {
            printBreakdown(classesBefore, classesAfter, nativeBefore, nativeAfter, connections);
        }

        long t1 = System.nanoTime();
        streams.closeAll();
        awaitSubscribers(0, closeWaitSeconds);
        double closeSeconds = (System.nanoTime() - t1) / 1e9;
        Sample closed = sample();
        System.out.printf(
                Locale.ROOT,
                "  closed       %s; 0 subscribers %.1f s after the clients closed%n",
                closed,
                closeSeconds);
        if (breakdown && nativeBefore != null) {
            System.out.printf(
                    Locale.ROOT,
                    "  NMT total committed: before %.1f MB, connected %.1f MB, closed %.1f MB"
                            + " (committed; not all of it is resident)%n",
                    nativeBefore.get("Total") / 1024.0,
                    nativeAfter.get("Total") / 1024.0,
                    nativeMemory().get("Total") / 1024.0);
        }
        System.out.println("RESULT ok");
        return 0;
    }

    /** Heap used after a full GC, RSS and thread count of the server. */
    record Sample(long heapUsedKb, long heapCommittedKb, long rssKb, long threads) {
        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "heap used %.1f MB (committed %.0f MB), RSS %.1f MB, %d threads",
                    heapUsedKb / 1024.0,
                    heapCommittedKb / 1024.0,
                    rssKb / 1024.0,
                    threads);
        }
    }

    // G1 prints one line for the heap; Serial and Parallel one per generation ("DefNew total 116160K,
    // used 31005K", "Tenured total ...", "PSYoungGen", "ParOldGen"), which are summed.
    static final Pattern G1_HEAP = Pattern.compile("heap\\s+total.*?committed (\\d+)K, used (\\d+)K");
    static final Pattern GENERATION = Pattern.compile("^\\S.*?\\s+total (\\d+)K, used (\\d+)K", Pattern.MULTILINE);

    Sample sample() throws Exception {
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        long committed = 0, used = 0;
        Matcher m = G1_HEAP.matcher(info);
        if (m.find()) {
            committed = Long.parseLong(m.group(1));
            used = Long.parseLong(m.group(2));
        } else {
            Matcher generation = GENERATION.matcher(info);
            while (generation.find()) {
                committed += Long.parseLong(generation.group(1));
                used += Long.parseLong(generation.group(2));
            }
            if (committed == 0) {
                throw new MeasurementException("cannot read heap used from 'jcmd " + pid + " GC.heap_info':\n" + info);
            }
        }
        return new Sample(used, committed, status("VmRSS:"), status("Threads:"));
    }

    static final Pattern CLASS_ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)", Pattern.MULTILINE);
    static final Pattern NMT_TOTAL = Pattern.compile("^Total: reserved=\\d+KB, committed=(\\d+)KB", Pattern.MULTILINE);
    static final Pattern NMT_ROW =
            Pattern.compile("^-\\s+(.+?) \\(reserved=\\d+KB, committed=(\\d+)KB\\)", Pattern.MULTILINE);

    /** Live objects by class (jcmd GC.class_histogram runs a full GC first): instances and bytes. */
    Map<String, long[]> classHistogram() throws Exception {
        Map<String, long[]> out = new HashMap<>();
        Matcher m = CLASS_ROW.matcher(jcmd("GC.class_histogram"));
        while (m.find()) {
            out.put(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
        }
        if (out.isEmpty()) {
            throw new MeasurementException("jcmd GC.class_histogram printed no rows");
        }
        return out;
    }

    /** Committed KB by NMT category, or null when the server runs without -XX:NativeMemoryTracking. */
    Map<String, Long> nativeMemory() throws Exception {
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "VM.native_memory", "summary")
                .redirectErrorStream(true)
                .start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        Map<String, Long> out = new HashMap<>();
        Matcher m = NMT_ROW.matcher(text);
        while (m.find()) {
            out.put(m.group(1).trim(), Long.parseLong(m.group(2)));
        }
        Matcher total = NMT_TOTAL.matcher(text);
        if (out.isEmpty() || !total.find()) {
            return null;
        }
        out.put("Total", Long.parseLong(total.group(1)));
        return out;
    }

    static void printBreakdown(
            Map<String, long[]> before,
            Map<String, long[]> after,
            Map<String, Long> nativeBefore,
            Map<String, Long> nativeAfter,
            int n) {
        System.out.println("  heap by class, growth per stream (largest first):");
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), new long[] {
                    e.getValue()[0] - before.getOrDefault(e.getKey(), new long[2])[0],
                    e.getValue()[1] - before.getOrDefault(e.getKey(), new long[2])[1]
                }))
                .sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]))
                .limit(14)
                .forEach(e -> System.out.printf(
                        Locale.ROOT,
                        "    %8.0f B  %6.2f objects  %s%n",
                        e.getValue()[1] / (double) n,
                        e.getValue()[0] / (double) n,
                        e.getKey()));
        if (nativeBefore == null || nativeAfter == null) {
            System.out.println("  native memory: not tracked (start the server with -XX:NativeMemoryTracking=summary)");
            return;
        }
        System.out.println("  native memory (NMT committed), growth per stream:");
        nativeAfter.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - nativeBefore.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() != 0 && !e.getKey().equals("Total"))
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .forEach(e ->
                        System.out.printf(Locale.ROOT, "    %8.2f KB  %s%n", e.getValue() / (double) n, e.getKey()));
    }

    String jcmd(String command) throws Exception {
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new MeasurementException("'jcmd " + pid + " " + command + "' failed: " + out);
        }
        return out;
    }

    long status(String field) throws IOException {
        long value = ProcStats.statusField(pid, field);
        if (value < 0) {
            throw new MeasurementException("/proc/" + pid + "/status has no " + field);
        }
        return value;
    }

    static final Pattern SUBSCRIBERS = Pattern.compile("\"subscribers\":\\{\"sse\":(\\d+),\"ws\":(\\d+)");

    /** Waits until the server counts exactly {@code n} subscribers of this transport. */
    void awaitSubscribers(int n, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int count;
        while ((count = subscribers()) != n) {
            if (System.nanoTime() > deadline) {
                throw new MeasurementException("the server counts " + count + " " + transport + " subscribers after "
                        + seconds + " s, expected " + n);
            }
            Thread.sleep(50);
        }
    }

    int subscribers() throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/v1/stats"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher m = SUBSCRIBERS.matcher(r.body());
        if (r.statusCode() != 200 || !m.find()) {
            throw new MeasurementException("/v1/stats answered " + r.statusCode() + ": " + r.body());
        }
        return Integer.parseInt(m.group(transport.startsWith("sse") ? 1 : 2));
    }

    /** Open streams, each read by its own virtual thread (which answers WebSocket pings). */
    final class Streams {
        final List<Socket> sockets = new ArrayList<>();
        final List<InputStream> h2Bodies = new ArrayList<>();
        HttpClient h2Client;
        final AtomicInteger ended = new AtomicInteger();
        final AtomicReference<String> firstError = new AtomicReference<>();
        volatile boolean closing;

        void closeAll() throws InterruptedException {
            closing = true;
            for (InputStream body : h2Bodies) {
                try {
                    body.close(); // cancels the HTTP/2 stream
                } catch (IOException ignored) {
                    // closing
                }
            }
            if (h2Client != null) {
                h2Client.shutdownNow();
            }
            for (Socket s : sockets) {
                try {
                    if (transport.equals("ws")) {
                        // A close frame (1000), masked as a client must: the server closes at once.
                        OutputStream out = s.getOutputStream();
                        out.write(new byte[] {(byte) 0x88, (byte) 0x82, 0, 0, 0, 0, 0x03, (byte) 0xE8});
                        out.flush();
                    }
                } catch (IOException ignored) {
                    // closed below anyway
                }
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }
    }

    /** Opens n streams, at most maxConnecting connecting at once (the listen backlog is finite). */
    Streams open(int n) throws Exception {
        if (transport.equals("sse-h2")) {
            return openOverHttp2(n);
        }
        Streams streams = new Streams();
        CountDownLatch done = new CountDownLatch(n);
        java.util.concurrent.Semaphore connecting = new java.util.concurrent.Semaphore(maxConnecting);
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        for (int i = 0; i < n; i++) {
            connecting.acquire();
            Thread.ofVirtual().start(() -> {
                Socket s = new Socket();
                boolean open = false;
                try {
                    s.connect(new InetSocketAddress(host, port), 10_000);
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    out.write(request().getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    readHead(in, transport.equals("ws") ? 101 : 200);
                    synchronized (streams) {
                        streams.sockets.add(s);
                    }
                    open = true;
                    connecting.release();
                    done.countDown();
                    if (transport.equals("ws")) {
                        readFrames(new DataInputStream(in), out);
                    } else {
                        in.transferTo(OutputStream.nullOutputStream()); // the retry: line, then heartbeats
                    }
                    throw new EOFException("the server closed the stream");
                } catch (IOException | RuntimeException e) {
                    if (!open) {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet(null, e.toString());
                        connecting.release();
                        done.countDown();
                        try {
                            s.close();
                        } catch (IOException ignored) {
                            // failed anyway
                        }
                    } else if (!streams.closing) {
                        streams.ended.incrementAndGet();
                        streams.firstError.compareAndSet(null, e.toString());
                    }
                }
            });
        }
        return awaitOpened(streams, done, failed, firstFailure, n);
    }

    /**
     * Opens n SSE streams over HTTP/2 (h2c): one request first upgrades a connection, the others
     * share it (the JDK's client opens another only past the server's concurrent-stream limit).
     */
    Streams openOverHttp2(int n) throws Exception {
        Streams streams = new Streams();
        streams.h2Client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        URI health = URI.create("http://" + host + ":" + port + "/health");
        HttpResponse<String> first =
                streams.h2Client.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString());
        if (first.version() != HttpClient.Version.HTTP_2) {
            throw new MeasurementException("the server did not upgrade to h2c: " + first.version());
        }
        URI uri = URI.create("http://" + host + ":" + port + "/v1/sse?topic=" + topic);
        java.util.concurrent.Semaphore connecting = new java.util.concurrent.Semaphore(maxConnecting);
        CountDownLatch done = new CountDownLatch(n);
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        for (int i = 0; i < n; i++) {
            connecting.acquire();
            Thread.ofVirtual().start(() -> {
                boolean open = false;
                try {
                    HttpResponse<InputStream> response = streams.h2Client.send(
                            HttpRequest.newBuilder(uri)
                                    .header("Accept", "text/event-stream")
                                    .build(),
                            HttpResponse.BodyHandlers.ofInputStream());
                    if (response.statusCode() != 200) {
                        throw new IOException("expected 200, got " + response.statusCode());
                    }
                    synchronized (streams) {
                        streams.h2Bodies.add(response.body());
                    }
                    open = true;
                    connecting.release();
                    done.countDown();
                    try (InputStream in = response.body()) {
                        in.transferTo(OutputStream.nullOutputStream());
                    }
                    if (!streams.closing) {
                        streams.ended.incrementAndGet();
                        streams.firstError.compareAndSet(null, "the server ended the stream");
                    }
                } catch (IOException | InterruptedException | RuntimeException e) {
                    if (!open) {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet(null, e.toString());
                        connecting.release();
                        done.countDown();
                    } else if (!streams.closing) {
                        streams.ended.incrementAndGet();
                        streams.firstError.compareAndSet(null, e.toString());
                    }
                }
            });
        }
        return awaitOpened(streams, done, failed, firstFailure, n);
    }

    /** Waits for every stream to open or fail; any failure closes them all and ends the measurement. */
    Streams awaitOpened(
            Streams streams, CountDownLatch done, AtomicInteger failed, AtomicReference<String> firstFailure, int n)
            throws Exception {
        if (!done.await(120, TimeUnit.SECONDS)) {
            throw new MeasurementException("streams still opening after 120 s");
        }
        if (failed.get() > 0) {
            streams.closeAll();
            throw new MeasurementException(
                    failed.get() + " of " + n + " streams failed to open; first: " + firstFailure.get());
        }
        return streams;
    }

    String request() {
        String path = (transport.equals("ws") ? "/v1/ws" : "/v1/sse") + "?topic=" + topic;
        StringBuilder b = new StringBuilder("GET ")
                .append(path)
                .append(" HTTP/1.1\r\nHost: ")
                .append(host)
                .append(':')
                .append(port)
                .append("\r\n");
        if (transport.equals("ws")) {
            byte[] key = new byte[16];
            ThreadLocalRandom.current().nextBytes(key);
            b.append("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ")
                    .append(Base64.getEncoder().encodeToString(key))
                    .append("\r\n");
        } else {
            b.append("Accept: text/event-stream\r\n");
        }
        return b.append("\r\n").toString();
    }

    /** Reads the response head byte by byte (nothing of the body is consumed); checks the status. */
    static void readHead(InputStream in, int status) throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            head.append((char) c);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                if (!head.toString().startsWith("HTTP/1.1 " + status)) {
                    throw new IOException("expected " + status + ", got: "
                            + head.toString().lines().findFirst().orElse(""));
                }
                return;
            }
        }
        throw new EOFException("the connection closed inside the response head");
    }

    /** Reads server frames; answers each ping with a masked pong of the same payload. */
    static void readFrames(DataInputStream in, OutputStream out) throws IOException {
        while (true) {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long len = b1 & 0x7F;
            if (len == 126) {
                len = in.readUnsignedShort();
            } else if (len == 127) {
                len = in.readLong();
            }
            byte[] payload = new byte[(int) len]; // server frames are not masked
            in.readFully(payload);
            int opcode = b0 & 0x0F;
            if (opcode == 0x9) {
                byte[] frame = new byte[6 + payload.length];
                frame[0] = (byte) 0x8A; // FIN + pong
                frame[1] = (byte) (0x80 | payload.length); // masked, a ping payload is at most 125 bytes
                System.arraycopy(payload, 0, frame, 6, payload.length); // mask key 0: the payload as is
                out.write(frame);
                out.flush();
            } else if (opcode == 0x8) {
                throw new EOFException("the server sent a close frame");
            }
        }
    }

    static final class MeasurementException extends IOException {
        MeasurementException(String message) {
            super(message);
        }
    }
}
