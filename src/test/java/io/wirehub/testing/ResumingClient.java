package io.wirehub.testing;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;

/**
 * A client of one topic on a bare socket that resumes like a browser's: when its connection drops
 * it reconnects with its last id ({@link ResumingSseClient}: {@code Last-Event-ID};
 * {@link ResumingWsClient}: {@code lastEventId}). It checks the stream as it reads: each event
 * must be the previous seq + 1 (a lower one is a duplicate, a higher one a gap) unless a
 * {@code reset} came first. One virtual thread, no queue of events: cheap enough for thousands.
 *
 * <p>The port is asked again at each connect, so a test can play the load balancer that sends
 * reconnects to another instance once one drains.
 */
public abstract sealed class ResumingClient permits ResumingSseClient, ResumingWsClient {
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofMillis(200);

    private final IntSupplier port;
    private final String topic;
    private final Thread thread;
    private final Queue<String> refusals = new ConcurrentLinkedQueue<>();
    private final Queue<String> endings = new ConcurrentLinkedQueue<>();
    private final LongConsumer latencies;
    private final long createdNanos = System.nanoTime();
    private volatile long firstOpenNanos; // how long the first connection took to open
    private volatile Socket socket;
    private volatile boolean stopped;
    private volatile String lastId;
    private volatile long firstSeq = -1;
    private volatile long lastSeq = -1;
    private volatile long connectedAtNanos;
    private volatile int connects;
    private volatile int events;
    private volatile int gaps;
    private volatile int duplicates;
    private volatile int resets;

    /**
     * @param latencies told, for each event whose data carries {@code t=<System.nanoTime() at
     *     publish>}, how long it took to arrive (publisher and client share this JVM's clock)
     */
    ResumingClient(IntSupplier port, String topic, LongConsumer latencies) {
        this.port = port;
        this.topic = topic;
        this.latencies = latencies;
        this.thread = Thread.ofVirtual().name("test-resuming-client").unstarted(this::loop);
    }

    /** A WebSocket or an SSE client (not started), for tests that mix the two on the same checks. */
    public static ResumingClient of(boolean webSocket, IntSupplier port, String topic, LongConsumer latencies) {
        return webSocket ? new ResumingWsClient(port, topic, latencies) : new ResumingSseClient(port, topic, latencies);
    }

    public static ResumingClient of(boolean webSocket, int port, String topic, LongConsumer latencies) {
        return of(webSocket, () -> port, topic, latencies);
    }

    public static ResumingClient of(boolean webSocket, int port, String topic) {
        return of(webSocket, () -> port, topic, nanos -> {});
    }

    public ResumingClient start() {
        thread.start();
        return this;
    }

    /** Drops the connection with a reset; the client reconnects with its last id at once. */
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

    public abstract boolean webSocket();

    public String topic() {
        return topic;
    }

    /** The first event's seq (-1 before it): with no gap and no reset, every seq from it to {@link #lastSeq} came. */
    public long firstSeq() {
        return firstSeq;
    }

    public long lastSeq() {
        return lastSeq;
    }

    /** How many times the stream opened (SSE: 200 and headers read; WebSocket: 101). */
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

    /**
     * How the server ended each stream it ended (not the drops): SSE {@code retry: <ms>} (the
     * reconnection time it asked for last), WebSocket {@code close <code>}.
     */
    public Queue<String> endings() {
        return endings;
    }

    /** How the server ended the clients' streams, counted: {@code {close 1001=20, retry: <ms>=20}}. */
    public static Map<String, Long> endings(List<? extends ResumingClient> clients) {
        return clients.stream()
                .flatMap(c -> c.endings().stream())
                .map(how -> how.startsWith("retry: ") ? "retry: <ms>" : how)
                .collect(Collectors.groupingBy(how -> how, TreeMap::new, Collectors.counting()));
    }

    /** The request that opens the stream, resuming after {@code lastId} (null: from now). */
    abstract String request(String topic, String lastId);

    /** The status line that means the stream opened. */
    abstract String openStatus();

    /**
     * Reads the open stream until it ends, reporting each event through {@link #received}.
     *
     * @return how long to wait before reconnecting (what the server asked for when it ended the
     *     stream; 0: at once)
     */
    abstract long read(Socket connection) throws IOException;

    private void loop() {
        while (!stopped) {
            boolean opened = false;
            long pause = 0;
            try (Socket connection = RawStreams.open(port.getAsInt(), request(topic, lastId))) {
                socket = connection;
                if (stopped) {
                    return;
                }
                String head = RawStreams.readHead(connection);
                opened = head.startsWith(openStatus());
                if (!opened) {
                    refusals.add(head.lines().findFirst().orElse("(closed)"));
                } else {
                    connects++;
                    connectedAtNanos = System.nanoTime();
                    if (firstOpenNanos == 0) {
                        firstOpenNanos = connectedAtNanos - createdNanos;
                    }
                    pause = read(connection);
                }
            } catch (IOException e) {
                // dropped: reconnect at once, as EventSource does
            }
            if (!opened) {
                // Refused or unreachable: wait before the next try, as EventSource waits its retry
                // time (thousands of clients retrying in a tight loop would starve everything else).
                pause = RETRY_AFTER_FAILURE.toMillis();
            }
            if (pause > 0 && !stopped) {
                LockSupport.parkNanos(Duration.ofMillis(pause).toNanos());
            }
        }
    }

    /** The server ended the stream as {@code how} (see {@link #endings()}). */
    final void ended(String how) {
        endings.add(how);
    }

    /** An event's data: reports its latency when it carries a publish time ({@code t=<nanos>}). */
    final void stamped(String data) {
        int stamp = data.indexOf("t=");
        if (stamp >= 0) {
            int end = stamp + 2;
            while (end < data.length() && Character.isDigit(data.charAt(end))) {
                end++;
            }
            if (end > stamp + 2) {
                latencies.accept(System.nanoTime() - Long.parseLong(data.substring(stamp + 2, end)));
            }
        }
    }

    /** One event or reset of the stream, in the order it came. */
    final void received(String id, long seq, boolean reset) {
        if (reset) {
            resets++;
        } else {
            events++;
            if (firstSeq < 0) {
                firstSeq = seq;
            }
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
