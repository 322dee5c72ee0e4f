package io.wirehub.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntSupplier;
import java.util.function.LongConsumer;

/**
 * A {@link ResumingClient} over WebSocket, as a browser's reconnecting wrapper does it: it answers
 * pings, and when the connection ends it opens a new one with {@code lastEventId}, the id of the
 * last event or reset it got: at once after a drop, after a jittered pause after the server's
 * close frame (WebSocket has no {@code retry:}; without the pause a fleet closed together would
 * come back in the same millisecond).
 */
public final class ResumingWsClient extends ResumingClient {
    private static final long MIN_PAUSE_MILLIS = 100;
    private static final long MAX_PAUSE_MILLIS = 500;

    public ResumingWsClient(IntSupplier port, String topic, LongConsumer latencies) {
        super(port, topic, latencies);
    }

    @Override
    public boolean webSocket() {
        return true;
    }

    @Override
    String request(String topic, String lastId) {
        return RawStreams.webSocket("topic=" + topic
                + (lastId == null ? "" : "&lastEventId=" + URLEncoder.encode(lastId, StandardCharsets.UTF_8)));
    }

    @Override
    String openStatus() {
        return "HTTP/1.1 101";
    }

    @Override
    long read(Socket connection) throws IOException {
        int code = RawStreams.readFrames(connection, this::message);
        ended("close " + code);
        return ThreadLocalRandom.current().nextLong(MIN_PAUSE_MILLIS, MAX_PAUSE_MILLIS + 1);
    }

    /** An event ({@code topic}, {@code seq}, {@code id}), a reset ({@code op: reset}), or a protocol message (ignored). */
    private void message(String text) {
        JsonNode message;
        try {
            message = Http.JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + text, e);
        }
        String op = message.path("op").asText("");
        if (op.isEmpty() || op.equals("reset")) {
            received(message.get("id").asText(), message.get("seq").asLong(), op.equals("reset"));
            JsonNode data = message.get("data");
            if (data != null && data.isTextual()) {
                stamped(data.asText());
            }
        }
    }
}
