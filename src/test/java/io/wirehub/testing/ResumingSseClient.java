package io.wirehub.testing;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * An SSE client of one topic on a bare socket that behaves like EventSource: when its
 * connection drops it reconnects at once with {@code Last-Event-ID}. It checks the stream as it
 * reads: each event must be the previous seq + 1 (a lower one is a duplicate, a higher one a
 * gap) unless a {@code reset} came first. One virtual thread, no queue of events: cheap enough
 * for thousands.
 */
public final class ResumingSseClient {
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofMillis(200);

    private final int port;
    private final String topic;
    private final Thread thread;
    private final Queue<String> refusals = new ConcurrentLinkedQueue<>();
    private final LongConsumer latencies;
    private final long createdNanos = System.nanoTime();
    private volatile long firstOpenNanos; // how long the first connection took to open
    private volatile Socket socket;
    private volatile boolean stopped;
    private volatile String lastId;
    private volatile long lastSeq = -1;
    private volatile long connectedAtNanos;
    private volatile int connects;
    private volatile int events;
    private volatile int gaps;
    private volatile int duplicates;
    private volatile int resets;

    public ResumingSseClient(int port, String topic) {
        this(port, topic, nanos -> {});
    }

    /**
     * @param latencies told, for each event whose data carries {@code t=<System.nanoTime() at
     *     publish>}, how long it took to arrive (publisher and client share this JVM's clock)
     */
    public ResumingSseClient(int port, String topic, LongConsumer latencies) {
        this.port = port;
        this.topic = topic;
        this.latencies = latencies;
        this.thread = Thread.ofVirtual().name("test-resuming-sse").unstarted(this::loop);
    }

    public ResumingSseClient start() {
        thread.start();
        return this;
    }

    /** Drops the connection with a reset; the client reconnects with its Last-Event-ID at once. */
    public void drop() {
        Socket current = socket;
        if (current != null) {
            RawStreams.reset(current);
        }
    }

    public void stop() {
        stopped = true;
        drop();
        thread.interrupt();
    }

    public String topic() {
        return topic;
    }

    public long lastSeq() {
        return lastSeq;
    }

    /** How many times the stream opened (200 and headers read). */
    public int connects() {
        return connects;
    }

    /** How long the first connection took from start to an open stream (0 until then). */
    public long firstOpenNanos() {
        return firstOpenNanos;
    }

    /** When the stream last opened (System.nanoTime), 0 before the first. */
    public long connectedAtNanos() {
        return connectedAtNanos;
    }

    public int events() {
        return events;
    }

    public int gaps() {
        return gaps;
    }

    public int duplicates() {
        return duplicates;
    }

    public int resets() {
        return resets;
    }

    /** Status lines of connection attempts the server refused. */
    public Queue<String> refusals() {
        return refusals;
    }

    private void loop() {
        while (!stopped) {
            boolean opened = false;
            try (Socket connection = RawStreams.open(port, RawStreams.sse("topic=" + topic, lastId))) {
                socket = connection;
                if (stopped) {
                    return;
                }
                String head = RawStreams.readHead(connection);
                opened = head.startsWith("HTTP/1.1 200");
                if (!opened) {
                    refusals.add(head.lines().findFirst().orElse("(closed)"));
                } else {
                    connects++;
                    connectedAtNanos = System.nanoTime();
                    if (firstOpenNanos == 0) {
                        firstOpenNanos = connectedAtNanos - createdNanos;
                    }
                    read(new BufferedReader(new InputStreamReader(
                            new StalledSseClient.ChunkedInputStream(new BufferedInputStream(connection.getInputStream())), StandardCharsets.UTF_8)));
                }
            } catch (IOException e) {
                // dropped: reconnect at once, as EventSource does
            }
            if (!opened) {
                // Refused or unreachable: wait before the next try, as EventSource waits its retry
                // time (thousands of clients retrying in a tight loop would starve everything else).
                LockSupport.parkNanos(RETRY_AFTER_FAILURE.toNanos());
            }
        }
    }

    private void read(BufferedReader lines) throws IOException {
        String id = null;
        String event = null;
        boolean data = false;
        String line;
        while ((line = lines.readLine()) != null) {
            if (line.isEmpty()) {
                if (data && id != null) {
                    received(id, "reset".equals(event));
                }
                event = null;
                data = false;
            } else if (line.startsWith("id:")) {
                id = line.substring(3).trim();
            } else if (line.startsWith("event:")) {
                event = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                data = true;
                int stamp = line.indexOf("t=");
                if (stamp >= 0) {
                    int end = stamp + 2;
                    while (end < line.length() && Character.isDigit(line.charAt(end))) {
                        end++;
                    }
                    latencies.accept(System.nanoTime() - Long.parseLong(line.substring(stamp + 2, end)));
                }
            }
        }
    }

    private void received(String id, boolean reset) {
        long seq = Ids.seq(id);
        if (reset) {
            resets++;
        } else {
            events++;
            if (lastSeq >= 0 && seq <= lastSeq) {
                duplicates++;
            } else if (lastSeq >= 0 && seq > lastSeq + 1) {
                gaps++;
            }
        }
        lastSeq = Math.max(lastSeq, seq);
        lastId = id;
    }
}
