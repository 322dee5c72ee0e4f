package io.wirehub.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real SSE reader: the JDK HTTP client reads the stream, {@link SseParser} parses it as an
 * EventSource does (id, event, multi-line data, comments ignored).
 */
public final class SseClient implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    public record SseEvent(String id, String event, String data) {}

    private final BlockingQueue<SseEvent> events = new LinkedBlockingQueue<>();
    private final List<Long> retries = new CopyOnWriteArrayList<>();
    private final InputStream body;
    private final int status;
    private final String errorBody;
    private final Thread reader;
    private volatile boolean ended;

    private SseClient(HttpResponse<InputStream> response) throws IOException {
        this(response.statusCode(), response.body());
    }

    /** Reads an SSE body from any stream (the raw socket clients use it once they read). */
    SseClient(int status, InputStream body) throws IOException {
        this.status = status;
        this.body = body;
        if (status != 200) {
            errorBody = new String(body.readAllBytes(), StandardCharsets.UTF_8);
            reader = null;
            ended = true;
            return;
        }
        errorBody = null;
        reader = Thread.ofVirtual().name("test-sse-reader").start(this::read);
    }

    public static SseClient connect(String url) {
        return connect(url, null);
    }

    public static SseClient connect(String url, String lastEventId) {
        return connect(url, lastEventId, Map.of());
    }

    /** @param headers more request headers, e.g. Authorization */
    public static SseClient connect(String url, String lastEventId, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream");
        headers.forEach(request::header);
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        try {
            return new SseClient(CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int status() {
        return status;
    }

    public String errorBody() {
        return errorBody;
    }

    /** Whether the server ended the stream. */
    public boolean ended() {
        return ended;
    }

    /** Every {@code retry:} the server sent, in order (one when the stream opens, one more when a drain ends it). */
    public List<Long> retries() {
        return List.copyOf(retries);
    }

    /** The next event, or null when none came within the timeout. */
    public SseEvent next(Duration timeout) throws InterruptedException {
        return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Exactly {@code count} events, failing when they do not all come within the timeout. */
    public List<SseEvent> take(int count, Duration timeout) throws InterruptedException {
        return Received.take(events, count, timeout, "events");
    }

    /** Asserts that nothing more arrives within the quiet period; returns what did. */
    public List<SseEvent> drain(Duration quiet) throws InterruptedException {
        List<SseEvent> out = new ArrayList<>();
        SseEvent event;
        while ((event = events.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)) != null) {
            out.add(event);
        }
        return out;
    }

    private void read() {
        try {
            SseParser.read(body, events::add, retries::add);
        } catch (IOException e) {
            // stream closed
        } finally {
            ended = true;
        }
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException e) {
            // closing anyway
        }
        if (reader != null) {
            reader.interrupt();
        }
    }
}
