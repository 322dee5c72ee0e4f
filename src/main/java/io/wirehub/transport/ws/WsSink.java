package io.wirehub.transport.ws;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;
import io.helidon.webserver.ConnectionContext;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsSession;
import io.wirehub.event.Cursor;
import io.wirehub.event.Event;
import io.wirehub.event.JsonStrings;
import io.wirehub.event.Reset;
import io.wirehub.hub.CloseReason;
import io.wirehub.hub.SubscriberSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes a stream's messages to a WebSocket session: one text message per event, and the
 * protocol's own: {@code ready} once positioned, {@code subscribed}/{@code unsubscribed} for each
 * applied subscribe/unsubscribe.
 *
 * <p>Like SSE, a batch goes out in one socket write: the drain thread appends whole, encoded
 * frames (events, acknowledgements, pings) to a {@link WsFrameBuffer} and {@link #flush()} writes
 * them at once, to the connection's socket writer, the very call Helidon's own
 * {@code WsSession.send} ends in ({@code ctx.dataWriter().writeNow}, 4.2.3 to 4.5.0). Helidon keeps no
 * state about frames it did not send but whether a fragmented message is under way, and every
 * frame here is a whole (FIN) one, so its {@code send}, {@code ping} and {@code close} stay valid
 * between ours. One text message per event costs one syscall per batch, not per event.
 *
 * <p>The sink exists before the session (the stream is positioned during the upgrade, before the
 * {@code 101}); {@link #attach} hands it the session in {@code onOpen}, before the drain thread
 * starts. Every {@code "id"} is the cursor with the store's epoch ({@link Cursor#stamped}).
 *
 * <p>Writes come from two threads: the drain thread's batches and close, and the reader thread's
 * pongs and error replies, which go out at once rather than wait for a batch. Every write goes
 * through {@link #lock}, so frames never interleave. (Helidon 4.5 made {@link WsSession#send} thread safe
 * with a lock of its own, helidon issue 11413; ours are written beside it, so ours stays.) The one write outside it, Helidon's own close reply to a client's close
 * (on the reader thread), is a single write of a whole frame too, and the JDK socket holds its
 * write lock for a whole write, so it lands between two of ours, never inside one. The buffer
 * itself is the drain thread's alone.
 */
final class WsSink implements SubscriberSink {
    private final ReentrantLock lock = new ReentrantLock();
    private final String storeEpoch;
    private final WsFrameBuffer frames = new WsFrameBuffer();
    private volatile WsSession session;
    private volatile DataWriter socket;

    WsSink(String storeEpoch) {
        this.storeEpoch = storeEpoch;
    }

    void attach(WsSession session) {
        if (!(session.socketContext() instanceof ConnectionContext connection)) {
            throw new IllegalStateException("Helidon's WebSocket session is not a server connection ("
                    + session.getClass().getName() + "): wirehub writes its frames to the connection's socket writer");
        }
        this.socket = connection.dataWriter();
        this.session = session;
    }

    // NOTE: clients read these messages: {"op":"ready","topics":{"a":41},"id":"<cursor>"}.
    @Override
    public void open(Map<String, Long> positions, String cursorToken) {
        StringBuilder out = new StringBuilder("{\"op\":\"ready\",\"topics\":{");
        positions.forEach((topic, seq) ->
                out.append('"').append(topic).append("\":").append(seq).append(','));
        if (!positions.isEmpty()) {
            out.setLength(out.length() - 1);
        }
        out.append("},\"id\":");
        JsonStrings.quote(out, Cursor.stamped(storeEpoch, cursorToken));
        frames.text(out.append('}').toString());
    }

    // NOTE: {"op":"subscribed","topic":"c","seq":17,"id":"<cursor>"}, or "unsubscribed".
    @Override
    public void topicChanged(String topic, boolean follows, long seq, String cursorToken) {
        StringBuilder out = new StringBuilder(64)
                .append("{\"op\":\"")
                .append(follows ? "subscribed" : "unsubscribed")
                .append("\",\"topic\":\"")
                .append(topic)
                .append("\",\"seq\":")
                .append(seq)
                .append(",\"id\":");
        JsonStrings.quote(out, Cursor.stamped(storeEpoch, cursorToken));
        frames.text(out.append('}').toString());
    }

    @Override
    public int event(Event event, CharSequence cursorToken) throws IOException {
        int bytes = frames.event(event, storeEpoch, cursorToken);
        if (frames.full()) {
            flush(); // a long batch (a catch-up, a burst) goes out in writes of about FLUSH_AT
        }
        return bytes;
    }

    @Override
    public int reset(Reset reset, String cursorToken) {
        return frames.text(reset.wsJson(Cursor.stamped(storeEpoch, cursorToken)));
    }

    @Override
    public boolean heartbeat() {
        frames.frame(WsFrames.PING, BufferData.EMPTY_BYTES);
        return true;
    }

    /** Writes the batch in one write. */
    @Override
    public void flush() throws IOException {
        if (frames.isEmpty()) {
            return;
        }
        try {
            write(frames.array(), frames.size());
        } finally {
            frames.clear(); // written, or the stream is over
        }
    }

    /** Sends a reply from the reader thread (an error) at once, between two batches. */
    void sendText(String text) throws IOException {
        byte[] frame = WsFrameBuffer.single(WsFrames.TEXT, text.getBytes(StandardCharsets.UTF_8));
        write(frame, frame.length);
    }

    /** Answers a ping from the reader thread at once. */
    void pong(BufferData ping) throws IOException {
        byte[] payload = new byte[ping.available()];
        ping.read(payload);
        byte[] frame = WsFrameBuffer.single(WsFrames.PONG, payload);
        write(frame, frame.length);
    }

    @Override
    public void finish(CloseReason reason, long retryMillis) {
        frames.clear(); // a batch the drain loop did not flush: the stream closed under it
        try {
            if (!lock.tryLock(1, TimeUnit.SECONDS)) {
                session.terminate(); // the other holder is stuck on a dead socket
                return;
            }
            try {
                switch (reason) {
                    case CLIENT_GONE, WRITE_TIMEOUT, PONG_TIMEOUT -> session.terminate();
                    case CLIENT_CLOSED -> session.close(WsCloseCodes.NORMAL_CLOSE, "bye");
                    case SHUTDOWN ->
                        session.close(WsCloseCodes.GOING_AWAY, "server shutting down; reconnect with lastEventId");
                    case OVERFLOW ->
                        session.close(
                                WsCloseCodes.VIOLATED_POLICY, "too slow: queue overflow; reconnect with lastEventId");
                    case SUBSCRIPTION_FLOOD ->
                        session.close(
                                WsCloseCodes.VIOLATED_POLICY,
                                "too many subscribe/unsubscribe messages pending; wait for each acknowledgement");
                    case TOKEN_EXPIRED ->
                        session.close(
                                WsCloseCodes.VIOLATED_POLICY,
                                "token expired; reconnect with a fresh token and lastEventId");
                    case STORE_UNAVAILABLE ->
                        session.close(WsCloseCodes.TRY_AGAIN_LATER, "store unavailable; reconnect with lastEventId");
                    case ERROR ->
                        session.close(WsCloseCodes.UNEXPECTED_CONDITION, "server error; reconnect with lastEventId");
                }
            } finally {
                lock.unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // the peer is gone already
        }
    }

    /** One socket write of whole frames, under the lock. */
    private void write(byte[] bytes, int length) throws IOException {
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting to send", e);
        }
        try {
            // From offset 0: Helidon 4.2.3's FixedBufferData.writeTo passed its end as the length (fixed in 4.5).
            socket.writeNow(BufferData.create(bytes, 0, length));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (RuntimeException e) {
            throw new IOException("send failed", e);
        } finally {
            lock.unlock();
        }
    }
}
