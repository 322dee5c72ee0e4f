package io.wirehub.transport.ws;

import io.helidon.common.buffers.BufferData;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsSession;
import io.wirehub.event.Cursor;
import io.wirehub.event.Event;
import io.wirehub.event.JsonStrings;
import io.wirehub.event.Reset;
import io.wirehub.event.WsFrames;
import io.wirehub.hub.CloseReason;
import io.wirehub.hub.SubscriberSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes a stream's messages to a WebSocket session: one text message per event, and the
 * protocol's own: {@code ready} once positioned, {@code subscribed}/{@code unsubscribed} for each
 * applied subscribe/unsubscribe.
 *
 * <p>The sink exists before the session (the stream is positioned during the upgrade, before the
 * {@code 101}); {@link #attach} hands it the session in {@code onOpen}, before the drain thread
 * starts. Every {@code "id"} is the cursor with the store's epoch ({@link Cursor#stamped}).
 *
 * <p>{@link WsSession} is not thread safe (helidon issue 11413), and the reader thread answers
 * pings while the drain thread sends events, so every send, ping, pong and close goes through
 * {@link #lock}.
 */
final class WsSink implements SubscriberSink {
    private final ReentrantLock lock = new ReentrantLock();
    private final String storeEpoch;
    private volatile WsSession session;

    WsSink(String storeEpoch) {
        this.storeEpoch = storeEpoch;
    }

    void attach(WsSession session) {
        this.session = session;
    }

    // NOTE: clients read these messages: {"op":"ready","topics":{"a":41},"id":"<cursor>"}.
    @Override
    public void open(Map<String, Long> positions, String cursorToken) throws IOException {
        StringBuilder out = new StringBuilder("{\"op\":\"ready\",\"topics\":{");
        positions.forEach((topic, seq) -> out.append('"').append(topic).append("\":").append(seq).append(','));
        if (!positions.isEmpty()) {
            out.setLength(out.length() - 1);
        }
        out.append("},\"id\":");
        JsonStrings.quote(out, Cursor.stamped(storeEpoch, cursorToken));
        sendText(out.append('}').toString());
    }

    // NOTE: {"op":"subscribed","topic":"c","seq":17,"id":"<cursor>"}, or "unsubscribed".
    @Override
    public void topicChanged(String topic, boolean follows, long seq, String cursorToken) throws IOException {
        StringBuilder out = new StringBuilder(64).append("{\"op\":\"").append(follows ? "subscribed" : "unsubscribed")
                .append("\",\"topic\":\"").append(topic).append("\",\"seq\":").append(seq).append(",\"id\":");
        JsonStrings.quote(out, Cursor.stamped(storeEpoch, cursorToken));
        sendText(out.append('}').toString());
    }

    @Override
    public int event(Event event, String cursorToken) throws IOException {
        String message = WsFrames.message(event, Cursor.stamped(storeEpoch, cursorToken));
        sendText(message);
        return utf8Length(message);
    }

    @Override
    public int reset(Reset reset, String cursorToken) throws IOException {
        String message = reset.wsJson(Cursor.stamped(storeEpoch, cursorToken));
        sendText(message);
        return utf8Length(message);
    }

    /** The message's payload size on the wire, without encoding it a second time. */
    private static int utf8Length(String text) {
        int bytes = text.length();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                bytes += c < 0x800 ? 1 : Character.isSurrogate(c) ? 1 : 2; // a surrogate pair: 4 bytes for 2 chars
            }
        }
        return bytes;
    }

    @Override
    public boolean heartbeat() throws IOException {
        locked(() -> session.ping(BufferData.empty()));
        return true;
    }

    @Override
    public void flush() {}

    /** Sends a reply from the reader thread (pong, errors) under the same lock. */
    void sendText(String text) throws IOException {
        locked(() -> session.send(text, true));
    }

    void pong(BufferData data) throws IOException {
        locked(() -> session.pong(data));
    }

    @Override
    public void finish(CloseReason reason, long retryMillis) {
        try {
            if (!lock.tryLock(1, TimeUnit.SECONDS)) {
                session.terminate(); // the other holder is stuck on a dead socket
                return;
            }
            try {
                switch (reason) {
                    case CLIENT_GONE, WRITE_TIMEOUT, PONG_TIMEOUT -> session.terminate();
                    case CLIENT_CLOSED -> session.close(WsCloseCodes.NORMAL_CLOSE, "bye");
                    case SHUTDOWN -> session.close(WsCloseCodes.GOING_AWAY, "server shutting down; reconnect with lastEventId");
                    case OVERFLOW -> session.close(WsCloseCodes.VIOLATED_POLICY, "too slow: queue overflow; reconnect with lastEventId");
                    case SUBSCRIPTION_FLOOD -> session.close(WsCloseCodes.VIOLATED_POLICY,
                            "too many subscribe/unsubscribe messages pending; wait for each acknowledgement");
                    case TOKEN_EXPIRED -> session.close(WsCloseCodes.VIOLATED_POLICY,
                            "token expired; reconnect with a fresh token and lastEventId");
                    case STORE_UNAVAILABLE -> session.close(WsCloseCodes.TRY_AGAIN_LATER, "store unavailable; reconnect with lastEventId");
                    case ERROR -> session.close(WsCloseCodes.UNEXPECTED_CONDITION, "server error; reconnect with lastEventId");
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

    private void locked(Runnable send) throws IOException {
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting to send", e);
        }
        try {
            send.run();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (RuntimeException e) {
            throw new IOException("send failed", e);
        } finally {
            lock.unlock();
        }
    }
}
