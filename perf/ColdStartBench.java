import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The first seconds of a fresh server: S SSE subscribers on one topic, P publishers each POSTing
 * one event after another over its own keep-alive connection (as fast as the answers come), for
 * T seconds from the first publish. Prints the publishes acknowledged in each second, so the JIT
 * warm-up (or what an AOT cache saves of it) shows, then checks that every subscriber received
 * every event.
 *
 * <p>Run: {@code java perf/ColdStartBench.java --port N [--subscribers 10] [--publishers 2]
 * [--seconds 10] [--data-bytes 150]}. JDK only. Exit status: 0 ok, 1 a failure or an inexact
 * delivery, 2 bad arguments.
 */
public class ColdStartBench {
    public static void main(String[] args) throws Exception {
        Args o = Args.parse(
                "ColdStartBench",
                args,
                "port",
                Args.REQUIRED,
                "subscribers",
                "10",
                "publishers",
                "2",
                "seconds",
                "10",
                "data-bytes",
                "150");
        int port = o.intArg("port"), subscribers = o.intArg("subscribers"), publishers = o.intArg("publishers");
        int seconds = o.intArg("seconds"), dataBytes = o.intArg("data-bytes");
        System.exit(new ColdStartBench(port, dataBytes).run(subscribers, publishers, seconds));
    }

    static final String TOPIC = "coldstart";
    final int port;
    final byte[] request;

    ColdStartBench(int port, int dataBytes) {
        this.port = port;
        String data = "{\"pad\":\"" + "x".repeat(Math.max(0, dataBytes - 10)) + "\"}";
        this.request = ("POST /v1/topics/" + TOPIC
                        + "/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + data.length() + "\r\n\r\n" + data)
                .getBytes(StandardCharsets.US_ASCII);
    }

    int run(int subscriberCount, int publisherCount, int seconds) throws Exception {
        List<Subscriber> subscribers = new ArrayList<>();
        for (int i = 0; i < subscriberCount; i++) {
            subscribers.add(new Subscriber());
        }
        for (Subscriber s : subscribers) {
            s.opened.await(30, TimeUnit.SECONDS);
        }
        AtomicLongArray perSecond = new AtomicLongArray(seconds);
        AtomicLong failures = new AtomicLong();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < publisherCount; p++) {
            threads.add(
                    Thread.ofPlatform().name("publisher-" + p).start(() -> publish(start, end, perSecond, failures)));
        }
        for (Thread t : threads) {
            t.join();
        }
        long published = 0;
        StringBuilder line = new StringBuilder();
        for (int s = 0; s < seconds; s++) {
            published += perSecond.get(s);
            line.append(String.format(Locale.ROOT, " %,d", perSecond.get(s)));
        }
        System.out.println("publishes/s, second by second from the first publish:" + line);
        long total = published;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (subscribers.stream().anyMatch(s -> s.received.get() < total) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long short_ =
                subscribers.stream().filter(s -> s.received.get() != total).count();
        System.out.printf(
                Locale.ROOT,
                "published %,d in %d s (%,.0f/s); last 3 s %,.0f/s; first 3 s %,.0f/s; failed POSTs %d;"
                        + " subscribers with a different count %d of %d%n",
                total,
                seconds,
                total / (double) seconds,
                (perSecond.get(seconds - 1) + perSecond.get(seconds - 2) + perSecond.get(seconds - 3)) / 3.0,
                (perSecond.get(0) + perSecond.get(1) + perSecond.get(2)) / 3.0,
                failures.get(),
                short_,
                subscriberCount);
        subscribers.forEach(Subscriber::close);
        boolean ok = failures.get() == 0 && short_ == 0;
        System.out.println(ok ? "RESULT ok" : "RESULT inexact");
        return ok ? 0 : 1;
    }

    /** One keep-alive connection: POST, read the answer, again, until the end. */
    void publish(long start, long end, AtomicLongArray perSecond, AtomicLong failures) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            long now;
            while ((now = System.nanoTime()) < end) {
                out.write(request);
                out.flush();
                if (readResponse(in) == 201) {
                    int second = (int) ((System.nanoTime() - start) / 1_000_000_000L);
                    if (second < perSecond.length()) {
                        perSecond.incrementAndGet(second);
                    } else {
                        perSecond.incrementAndGet(perSecond.length() - 1); // answered just after the end
                    }
                } else {
                    failures.incrementAndGet();
                }
            }
        } catch (IOException e) {
            failures.incrementAndGet();
            System.out.println("publisher failed: " + e);
        }
    }

    /** Reads a response with a Content-Length body; returns its status. */
    static int readResponse(InputStream in) throws IOException {
        String status = readLine(in);
        int contentLength = 0;
        String header;
        while (!(header = readLine(in)).isEmpty()) {
            if (header.regionMatches(true, 0, "content-length:", 0, 15)) {
                contentLength = Integer.parseInt(header.substring(15).trim());
            }
        }
        in.readNBytes(contentLength);
        return Integer.parseInt(status.substring(9, 12));
    }

    static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("the server closed the connection");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);

    /** An SSE stream read by its own virtual thread; counts the events (their "data:" lines: a stream opens with an id: line and no data). */
    final class Subscriber {
        final AtomicLong received = new AtomicLong();
        final CountDownLatch opened = new CountDownLatch(1);
        final Socket socket;

        Subscriber() throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.getOutputStream()
                    .write(("GET /v1/sse?topic=" + TOPIC
                                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            Thread.ofVirtual().start(this::read);
        }

        void read() {
            try {
                InputStream in = new BufferedInputStream(socket.getInputStream(), 65536);
                boolean lineStart = true;
                int matched = -1; // how much of "data:" the current line has begun with; -1: not this line
                int c;
                while ((c = in.read()) >= 0) {
                    if (opened.getCount() > 0 && c == '\n') {
                        opened.countDown(); // the status line arrived: the stream is positioned
                    }
                    if (lineStart) {
                        matched = 0;
                    }
                    if (matched >= 0 && c == DATA[matched]) {
                        if (++matched == DATA.length) {
                            received.incrementAndGet();
                            matched = -1;
                        }
                    } else {
                        matched = -1;
                    }
                    lineStart = c == '\n';
                }
            } catch (IOException e) {
                // closed at the end
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
