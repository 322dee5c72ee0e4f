package io.wirehub.hub;

import io.wirehub.event.Cursor;
import io.wirehub.event.Event;
import io.wirehub.event.Reset;
import io.wirehub.event.ResetReason;
import java.io.IOException;
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The writing half of a subscriber: stamps each event with the stream's cursor, writes it to the
 * sink under the write deadline, and tracks the unanswered heartbeat. Used by the drain thread
 * only; the ticker reads the two deadlines.
 *
 * <p>Once the stream is closed nothing more is written (the sink's final {@code finish} aside):
 * a close that arrived while the drain thread was busy elsewhere must not be followed by a write
 * that could block on a client that stopped reading, with no deadline left to cut it off.
 */
final class StreamWriter {
    private final SubscriberSink sink;
    private final Cursor cursor;
    private final HubStats stats;
    private final LongSupplier nanoClock;
    private final BooleanSupplier closed;

    // Arrival times of the live events written since the last flush: the flush observes their
    // publish→flush latency. Drain thread only; grows to the largest batch, then stays.
    private long[] unflushedArrivals = new long[8];
    private int unflushed;
    private volatile long writeStartedNanos; // 0 while not writing
    private volatile long pingSentNanos; // 0 while no heartbeat awaits its answer

    StreamWriter(SubscriberSink sink, Cursor cursor, HubStats stats, LongSupplier nanoClock, BooleanSupplier closed) {
        this.sink = sink;
        this.cursor = cursor;
        this.stats = stats;
        this.nanoClock = nanoClock;
        this.closed = closed;
    }

    /** Opens the stream, telling the client where each topic starts (the WebSocket's ready message). */
    void open() throws IOException {
        timed(() -> sink.open(cursor.snapshot(), cursor.token()));
    }

    /** Acknowledges a WebSocket subscribe or unsubscribe with the seq it starts (or stopped) after. */
    void topicChanged(String topic, boolean follows, long seq) throws IOException {
        String token = cursor.token();
        timed(() -> sink.topicChanged(topic, follows, seq, token));
    }

    /**
     * The last write of a closed stream (SSE end of response, WebSocket close frame), under the
     * same write deadline as any other: the ticker interrupts it past write_timeout.
     */
    void finish(CloseReason reason, long retryMillis) {
        long now = nanoClock.getAsLong();
        writeStartedNanos = now == 0 ? 1 : now;
        try {
            sink.finish(reason, retryMillis);
        } finally {
            writeStartedNanos = 0;
        }
    }

    /** Advances the cursor to the event and writes it with the new cursor as its id. */
    void event(Event event) throws IOException {
        cursor.advance(event.topic(), event.seq());
        CharSequence token = cursor.reusedToken(); // read by the sink during the call only
        int bytes;
        startWrite(); // by hand, not through timed(): this runs once per delivery, so no lambda or holder here
        try {
            bytes = sink.event(event, token);
        } finally {
            writeStartedNanos = 0;
        }
        stats.deliveries.increment();
        stats.bytesWritten.add(bytes);
    }

    /**
     * {@link #event} for an event taken from the queue: its publish→flush latency is observed at
     * the next flush when it was published here (the arrival stamp is on this JVM's clock).
     */
    void liveEvent(Event event) throws IOException {
        event(event);
        long arrived = event.arrivedNanos();
        if (arrived != 0) {
            if (unflushed == unflushedArrivals.length) {
                unflushedArrivals = Arrays.copyOf(unflushedArrivals, unflushed * 2);
            }
            unflushedArrivals[unflushed++] = arrived;
        }
    }

    /** Moves the topic's position to {@code head} and tells the client to re-hydrate. */
    void reset(String topic, long head, ResetReason reason) throws IOException {
        cursor.advance(topic, head);
        Reset reset = new Reset(topic, head, reason);
        String token = cursor.token();
        int[] bytes = new int[1];
        timed(() -> bytes[0] = sink.reset(reset, token));
        stats.reset(reason);
        stats.bytesWritten.add(bytes[0]);
    }

    void heartbeat() throws IOException {
        long sent = nanoClock.getAsLong();
        boolean[] expectsAck = new boolean[1];
        timed(() -> expectsAck[0] = sink.heartbeat());
        if (expectsAck[0] && pingSentNanos == 0) {
            pingSentNanos = sent;
        }
    }

    void flush() throws IOException {
        int written = unflushed;
        unflushed = 0; // a failed flush delivered nothing: nothing to observe
        startWrite();
        try {
            sink.flush();
        } finally {
            writeStartedNanos = 0;
        }
        if (written > 0) {
            long now = System.nanoTime(); // the arrival stamps' clock, not the injected one
            for (int i = 0; i < written; i++) {
                stats.publishToFlush.observe(Math.max(0, now - unflushedArrivals[i]));
            }
        }
    }

    void heartbeatAcknowledged() {
        pingSentNanos = 0;
    }

    boolean awaitingAck() {
        return pingSentNanos != 0;
    }

    boolean writing() {
        return writeStartedNanos != 0;
    }

    /** Whether a write has been blocked longer than the timeout. */
    boolean writeOverdue(long now, long timeoutNanos) {
        long started = writeStartedNanos;
        return started != 0 && now - started > timeoutNanos;
    }

    boolean pongOverdue(long now, long timeoutNanos) {
        long ping = pingSentNanos;
        return ping != 0 && now - ping > timeoutNanos;
    }

    private void timed(Write write) throws IOException {
        startWrite();
        try {
            write.run();
        } finally {
            writeStartedNanos = 0;
        }
    }

    /** Starts the deadline of a write; the caller clears {@link #writeStartedNanos} once it returns. */
    private void startWrite() throws IOException {
        if (closed.getAsBoolean()) {
            throw new IOException("stream closed");
        }
        long now = nanoClock.getAsLong();
        writeStartedNanos = now == 0 ? 1 : now; // 0 means "not writing"
    }

    @FunctionalInterface
    private interface Write {
        void run() throws IOException;
    }
}
