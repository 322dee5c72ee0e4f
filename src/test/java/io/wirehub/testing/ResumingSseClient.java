package io.wirehub.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.net.Socket;
import java.util.function.IntSupplier;
import java.util.function.LongConsumer;

/**
 * A {@link ResumingClient} that behaves like EventSource: it reconnects with {@code Last-Event-ID},
 * at once after a drop, and after the {@code retry:} time the server asked for when the server
 * ended the stream.
 */
public final class ResumingSseClient extends ResumingClient {

    public ResumingSseClient(int port, String topic) {
        this(() -> port, topic, nanos -> {});
    }

    public ResumingSseClient(int port, String topic, LongConsumer latencies) {
        this(() -> port, topic, latencies);
    }

    public ResumingSseClient(IntSupplier port, String topic, LongConsumer latencies) {
        super(port, topic, latencies);
    }

    @Override
    public boolean webSocket() {
        return false;
    }

    @Override
    String request(String topic, String lastId) {
        return RawStreams.sse("topic=" + topic, lastId);
    }

    @Override
    String openStatus() {
        return "HTTP/1.1 200";
    }

    @Override
    long read(Socket connection) throws IOException {
        long[] retry = {0};
        SseParser.read(
                new ChunkedBody(new BufferedInputStream(connection.getInputStream())),
                event -> {
                    if (event.id() != null) {
                        received(event.id(), Ids.seq(event.id()), "reset".equals(event.event()));
                    }
                    stamped(event.data());
                },
                millis -> retry[0] = millis);
        ended("retry: " + retry[0]); // the server ended the stream (a drop ends in an exception)
        return retry[0];
    }
}
