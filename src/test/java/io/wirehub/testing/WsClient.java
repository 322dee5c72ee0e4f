package io.wirehub.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real WebSocket client (the JDK's): collects each text message as parsed JSON. The stream's
 * own protocol messages ({@code ready}, {@code subscribed}, {@code unsubscribed}) are kept apart
 * from events, resets and errors; {@link #connect} returns once {@code ready} came.
 */
public final class WsClient implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final java.util.Set<String> PROTOCOL_OPS = java.util.Set.of("ready", "subscribed", "unsubscribed");

    private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    private final BlockingQueue<JsonNode> protocol = new LinkedBlockingQueue<>();
    private JsonNode ready;
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WebSocket socket;

    private WsClient(String url, boolean reads) {
        this(url, reads, () -> {});
    }

    private WsClient(String url, boolean reads, Runnable onOpen) {
        StringBuilder partial = new StringBuilder();
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public void onOpen(WebSocket webSocket) {
                onOpen.run();
                if (reads) {
                    webSocket.request(1);
                }
            }

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    try {
                        JsonNode message = Http.JSON.readTree(partial.toString());
                        boolean own = message.has("op")
                                && PROTOCOL_OPS.contains(message.get("op").asText());
                        (own ? protocol : messages).add(message);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    partial.setLength(0);
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                closed.complete(statusCode);
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                closed.complete(-1);
            }
        };
        socket = CLIENT.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create(url), listener)
                .join();
    }

    /** Connects and waits for the {@code ready} message. @param url a ws:// URL */
    public static WsClient connect(String url) {
        WsClient client = new WsClient(url, true);
        try {
            client.ready = client.protocol.poll(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (client.ready == null || !"ready".equals(client.ready.get("op").asText())) {
            client.close();
            throw new AssertionError("no ready message first, got " + client.ready);
        }
        return client;
    }

    /**
     * Connects, runs {@code onOpen} in the client's own open callback (what a browser that
     * publishes from its {@code onopen} does), and returns without waiting for {@code ready}.
     */
    public static WsClient opened(String url, Runnable onOpen) {
        return new WsClient(url, true, onOpen);
    }

    /** The {@code ready} message: {@code {"op":"ready","topics":{...},"id":...}}. */
    public JsonNode ready() {
        return ready;
    }

    /** The next subscribe/unsubscribe acknowledgement, or null after the timeout. */
    public JsonNode nextAck(Duration timeout) throws InterruptedException {
        return protocol.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A client that never asks for a message: it stops reading from the start (a stalled peer). */
    public static WsClient stalled(String url) {
        return new WsClient(url, false);
    }

    public void send(String text) {
        socket.sendText(text, true).join();
    }

    public JsonNode next(Duration timeout) throws InterruptedException {
        return messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public List<JsonNode> take(int count, Duration timeout) throws InterruptedException {
        return Received.take(messages, count, timeout, "messages");
    }

    /** The close code the server sent, or -1 on an abrupt end; null when still open after the timeout. */
    public Integer closeCode(Duration timeout) {
        try {
            return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return null;
        }
    }

    @Override
    public void close() {
        socket.abort();
    }
}
