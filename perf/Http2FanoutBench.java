import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One topic fanned out to N SSE streams, over HTTP/1.1 (a connection per stream) or HTTP/2 (h2c:
 * the streams share connections), both read by the JDK's HttpClient, so that the two differ in the
 * protocol only. One publisher posts batches of events back to back for the given seconds; prints
 * deliveries/s, publish-to-read latency (p50/p99, from the nanoTime in each event: both processes
 * read the same monotonic clock) and the server's peak RSS.
 *
 * <p>Run against a running wirehub: {@code java perf/Http2FanoutBench.java --port N --pid SERVER_PID
 * --protocol h1|h2 --streams 1000 --seconds 10 --batch 20}. JDK only. The client shares the machine
 * with the server: compare the two protocols in the same run, not with LoadGen's figures.
 */
public class Http2FanoutBench {
    public static void main(String[] args) throws Exception {
        Args o = Args.parse(
                "Http2FanoutBench",
                args,
                "port",
                Args.REQUIRED,
                "pid",
                Args.REQUIRED,
                "protocol",
                "h1",
                "streams",
                "1000",
                "seconds",
                "10",
                "batch",
                "20");
        new Http2FanoutBench(o.intArg("port"), o.longArg("pid"), o.choice("protocol", "h1", "h2"), o.intArg("streams"))
                .run(o.intArg("seconds"), o.intArg("batch"));
    }

    private final String base;
    private final long pid;
    private final String protocol;
    private final int streams;
    private final HttpClient client;
    private final LongAdder deliveries = new LongAdder();
    private final long[][] latencies; // per stream: a ring of the last publish-to-read delays, in µs
    private final AtomicLong endedEarly = new AtomicLong();

    Http2FanoutBench(int port, long pid, String protocol, int streams) {
        this.base = "http://127.0.0.1:" + port;
        this.pid = pid;
        this.protocol = protocol;
        this.streams = streams;
        this.client = HttpClient.newBuilder()
                .version(protocol.equals("h2") ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
                .build();
        this.latencies = new long[streams][];
    }

    void run(int seconds, int batch) throws Exception {
        if (protocol.equals("h2")) { // one request upgrades the connection; the streams then share it
            HttpResponse<Void> first = client.send(
                    HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (first.version() != HttpClient.Version.HTTP_2) {
                throw new IllegalStateException("no h2c upgrade: " + first.version());
            }
        }
        CountDownLatch open = new CountDownLatch(streams);
        List<InputStream> bodies = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            int index = i;
            Thread.ofVirtual().start(() -> read(index, open, bodies));
        }
        if (!open.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException(open.getCount() + " streams not open after 120 s");
        }
        long published = publish(seconds, batch);
        Thread.sleep(2000); // the tail still on its way
        double deliveredPerSecond = deliveries.sum() / (seconds + 2.0);
        long[] all = Arrays.stream(latencies)
                .filter(a -> a != null)
                .flatMapToLong(Arrays::stream)
                .filter(v -> v > 0)
                .sorted()
                .toArray();
        System.out.printf(
                Locale.ROOT,
                "%s: %d streams, %d events published in %d s (batches of %d), %.0f deliveries/s,"
                        + " latency p50 %.1f ms p99 %.1f ms (%d samples), server peak RSS %d MB, %d streams ended early%n",
                protocol.equals("h2") ? "HTTP/2 (h2c)" : "HTTP/1.1",
                streams,
                published,
                seconds,
                batch,
                deliveredPerSecond,
                percentile(all, 0.50) / 1000.0,
                percentile(all, 0.99) / 1000.0,
                all.length,
                peakRssKb() / 1024,
                endedEarly.get());
        synchronized (bodies) {
            for (InputStream body : bodies) {
                body.close();
            }
        }
        client.shutdownNow();
    }

    private void read(int index, CountDownLatch open, List<InputStream> bodies) {
        long[] ring = new long[512];
        latencies[index] = ring;
        int next = 0;
        try {
            HttpResponse<InputStream> response = client.send(
                    HttpRequest.newBuilder(URI.create(base + "/v1/sse?topic=h2bench"))
                            .header("Accept", "text/event-stream")
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            synchronized (bodies) {
                bodies.add(response.body());
            }
            open.countDown();
            BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.startsWith("data: ")) {
                    deliveries.increment();
                    long sent = Long.parseLong(line, 6, line.length(), 10);
                    ring[next++ & (ring.length - 1)] = (System.nanoTime() - sent) / 1000;
                }
            }
            endedEarly.incrementAndGet();
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (open.getCount() > 0) {
                open.countDown();
                endedEarly.incrementAndGet();
            }
        }
    }

    /** Posts batches back to back until the time is up; returns the events stored. */
    private long publish(int seconds, int batch) throws Exception {
        HttpClient publisher =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long published = 0;
        while (System.nanoTime() < until) {
            StringBuilder body = new StringBuilder("[");
            for (int i = 0; i < batch; i++) {
                body.append(i == 0 ? "" : ",")
                        .append("{\"topic\":\"h2bench\",\"data\":")
                        .append(System.nanoTime())
                        .append('}');
            }
            HttpResponse<Void> response = publisher.send(
                    HttpRequest.newBuilder(URI.create(base + "/v1/events"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    body.append(']').toString()))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() == 201) {
                published += batch;
            } else if (response.statusCode() == 503) {
                Thread.sleep(50); // overloaded: the server asked for a pause
            } else {
                throw new IllegalStateException("publish answered " + response.statusCode());
            }
        }
        return published;
    }

    private static long percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    }

    private long peakRssKb() throws IOException {
        return ProcStats.statusField(pid, "VmHWM:");
    }
}
