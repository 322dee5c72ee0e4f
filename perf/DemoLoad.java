import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A light, steady demo load for make dev-obs, so the dashboards have something to show: SSE
 * subscribers spread over the instances and a few topics, and a publisher at a fixed rate,
 * alternating instances. Runs until stopped. JDK only (source launcher).
 *
 * <p>Knobs (environment): DEMO_PORTS (8081,8082), DEMO_TOPICS (5), DEMO_SUBSCRIBERS (300),
 * DEMO_RATE (events/s in all, 50), DEMO_SLOW (subscribers that read slowly, 3: they overflow and
 * catch up, so those panels move too).
 */
public class DemoLoad {
    public static void main(String[] args) throws Exception {
        String[] ports = env("DEMO_PORTS", "8081,8082").split(",");
        int topics = Integer.parseInt(env("DEMO_TOPICS", "5"));
        int subscribers = Integer.parseInt(env("DEMO_SUBSCRIBERS", "300"));
        int rate = Integer.parseInt(env("DEMO_RATE", "50"));
        int slow = Integer.parseInt(env("DEMO_SLOW", "3"));
        AtomicLong received = new AtomicLong();
        for (int i = 0; i < subscribers; i++) {
            String port = ports[i % ports.length];
            String topic = "demo." + (i % topics);
            boolean slowReader = i < slow;
            Thread.ofVirtual().name("demo-sub-" + i).start(() -> subscribe(port, topic, slowReader, received));
        }
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long periodNanos = 1_000_000_000L / Math.max(1, rate);
        long next = System.nanoTime();
        long sent = 0;
        long lastReport = System.nanoTime();
        System.out.println("demo-load: " + subscribers + " SSE subscribers over " + topics + " topics on ports "
                + String.join(",", ports) + ", " + rate + " events/s");
        while (true) {
            String port = ports[(int) (sent % ports.length)];
            String topic = "demo." + ThreadLocalRandom.current().nextInt(topics);
            String body =
                    "{\"price\":" + (100 + ThreadLocalRandom.current().nextInt(1000) / 10.0) + ",\"n\":" + sent + "}";
            try {
                http.send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + port + "/v1/topics/" + topic + "/events"))
                                .timeout(Duration.ofSeconds(5))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
            } catch (Exception e) {
                // an instance restarting: keep the pace, try the next one
            }
            sent++;
            next += periodNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(Duration.ofNanos(wait));
            }
            if (System.nanoTime() - lastReport > 10_000_000_000L) {
                lastReport = System.nanoTime();
                System.out.println("demo-load: published " + sent + ", received " + received.get());
            }
        }
    }

    /** One SSE subscriber; reconnects when the stream ends (from now: the demo checks no order). */
    private static void subscribe(String port, String topic, boolean slowReader, AtomicLong received) {
        while (true) {
            try (Socket socket = new Socket("127.0.0.1", Integer.parseInt(port))) {
                if (slowReader) {
                    socket.setReceiveBufferSize(4096);
                }
                OutputStream out = socket.getOutputStream();
                out.write(("GET /v1/sse?topic=" + topic
                                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("id: ")) {
                        received.incrementAndGet();
                        if (slowReader) {
                            Thread.sleep(200); // reads 5 events/s: its queue overflows and it catches up
                        }
                    }
                }
            } catch (Exception e) {
                // the instance went away: retry below
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
