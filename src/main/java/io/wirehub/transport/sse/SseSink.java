package io.wirehub.transport.sse;

import io.wirehub.event.Cursor;
import io.wirehub.event.Event;
import io.wirehub.event.Reset;
import io.wirehub.hub.CloseReason;
import io.wirehub.hub.SubscriberSink;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes a stream's frames to the SSE response: the per-stream {@code id:} line (the cursor with
 * the store's epoch, see {@link Cursor#stamped}), then the event's shared, pre-encoded body.
 * The frames of a batch are gathered ({@link FrameBatch}) and {@link #flush()} sends them in one
 * write; Helidon's own response buffer is kept tiny (see WireHub), so an idle stream holds none.
 */
final class SseSink implements SubscriberSink {
    // NOTE: clients listen for this event name to reconnect with a fresh token (docs/security.md).
    private static final byte[] TOKEN_EXPIRED_FRAME = ("event: token_expired\ndata: {\"error\":\"token_expired\","
                    + "\"message\":\"the token expired; reconnect with a fresh token and lastEventId\"}\n\n")
            .getBytes(StandardCharsets.US_ASCII);
    private final OutputStream out;
    private final long retryMillis;
    private final String storeEpoch;
    private byte[] idLine = new byte[0]; // the id: line's bytes, reused across deliveries (drain thread only)
    private final FrameBatch batch = new FrameBatch();

    SseSink(OutputStream out, long retryMillis, String storeEpoch) {
        this.out = out;
        this.retryMillis = retryMillis;
        this.storeEpoch = storeEpoch;
    }

    @Override
    public void open(Map<String, Long> positions, String cursorToken) throws IOException {
        // NOTE: clients read the opening id: every topic's seq where the stream starts.
        batch.add(SseFrames.opening(retryMillis, Cursor.stamped(storeEpoch, cursorToken)), out);
        flush(); // sends the status and headers: the client sees the stream open now
    }

    @Override
    public void topicChanged(String topic, boolean follows, long seq, String cursorToken) {
        // an SSE stream's topics are fixed by its URL: nothing to acknowledge
    }

    @Override
    public int event(Event event, CharSequence cursorToken) throws IOException {
        int idLength = SseFrames.idLineLength(storeEpoch, cursorToken);
        if (idLine.length < idLength) {
            idLine = new byte[idLength + 16]; // room for the seq to grow a few digits
        }
        SseFrames.writeIdLine(idLine, storeEpoch, cursorToken);
        byte[] body = event.encoded(SseFrames.BODY);
        batch.add(idLine, idLength, out);
        batch.add(body, out);
        return idLength + body.length;
    }

    @Override
    public int reset(Reset reset, String cursorToken) throws IOException {
        byte[] frame = SseFrames.frame(Cursor.stamped(storeEpoch, cursorToken), "reset", reset.json());
        batch.add(frame, out);
        return frame.length;
    }

    @Override
    public boolean heartbeat() throws IOException {
        batch.add(SseFrames.HEARTBEAT, out);
        return false;
    }

    @Override
    public void flush() throws IOException {
        batch.sendTo(out);
        out.flush();
    }

    @Override
    public void finish(CloseReason reason, long retryMillis) {
        try {
            if (reason == CloseReason.TOKEN_EXPIRED) {
                batch.add(TOKEN_EXPIRED_FRAME, out);
            }
            if (reason == CloseReason.SHUTDOWN) {
                // A jittered retry spreads the reconnects of a draining instance's clients.
                batch.add(SseFrames.retry(retryMillis), out);
            }
            batch.sendTo(out); // what the last batch left unflushed, too
            out.close(); // ends the response; EventSource reconnects with Last-Event-ID
        } catch (IOException | RuntimeException e) {
            // the client is gone already: nothing to end
        }
    }
}
