package io.wirehub.testing;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
        BufferedReader lines = new BufferedReader(new InputStreamReader(
                new StalledSseClient.ChunkedInputStream(new BufferedInputStream(connection.getInputStream())), StandardCharsets.UTF_8));
        String id = null;
        String event = null;
        boolean data = false;
        long retry = 0;
        String line;
        while ((line = lines.readLine()) != null) {
            if (line.isEmpty()) {
                if (data && id != null) {
                    received(id, Ids.seq(id), "reset".equals(event));
                }
                event = null;
                data = false;
            } else if (line.startsWith("id:")) {
                id = line.substring(3).trim();
            } else if (line.startsWith("event:")) {
                event = line.substring(6).trim();
            } else if (line.startsWith("retry:")) {
                retry = Long.parseLong(line.substring(6).trim());
            } else if (line.startsWith("data:")) {
                data = true;
                stamped(line);
            }
        }
        ended("retry: " + retry); // the server ended the stream (a drop ends in an exception)
        return retry;
    }
}
