package io.wirehub.transport.ws;

import io.wirehub.event.Event;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A WebSocket stream's outgoing frames, whole and encoded, waiting for one socket write: what
 * Helidon's buffered response is to an SSE stream. The drain thread appends a batch of frames;
 * {@link WsSink} writes them with one write when the batch ends, or as soon as they pass
 * {@link #FLUSH_AT}, so one write never carries megabytes and a slow client's backlog is not
 * copied twice.
 *
 * <p>Memory: it grows on demand to the batch. After each write an array of up to
 * {@link #RETAINED} bytes is kept (one event of ~150 bytes of data fits, so a stream that gets one
 * event per write allocates nothing); a larger one is dropped. An idle stream holds at most
 * {@link #RETAINED} bytes. Drain thread only.
 */
final class WsFrameBuffer {
    // Large enough that a batch is one write at any realistic event size, small enough that one
    // write's copy stays in the CPU cache.
    static final int FLUSH_AT = 64 * 1024;
    // About two event frames of ~150 bytes of data: kept between batches.
    static final int RETAINED = 512;
    private static final byte[] NONE = new byte[0];

    private byte[] bytes = NONE;
    private int size;

    /** Appends the event's text frame with the stream's cursor as its {@code "id"}; returns its payload size. */
    int event(Event event, String epoch, CharSequence cursorToken) {
        int payload = WsFrames.eventPayloadLength(event, epoch, cursorToken);
        int at = reserve(WsFrames.headerLength(payload) + payload);
        size = WsFrames.writeEvent(bytes, at, event, epoch, cursorToken);
        return payload;
    }

    /** Appends a text frame; returns its payload size. */
    int text(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        frame(WsFrames.TEXT, payload);
        return payload.length;
    }

    /** Appends a frame with the given opcode and payload. */
    void frame(int opcode, byte[] payload) {
        int at = reserve(WsFrames.headerLength(payload.length) + payload.length);
        at = WsFrames.writeHeader(bytes, at, opcode, payload.length);
        System.arraycopy(payload, 0, bytes, at, payload.length);
        size = at + payload.length;
    }

    /** A single frame on its own, for a write that does not wait for the batch (a pong, a reply). */
    static byte[] single(int opcode, byte[] payload) {
        byte[] frame = new byte[WsFrames.headerLength(payload.length) + payload.length];
        int at = WsFrames.writeHeader(frame, 0, opcode, payload.length);
        System.arraycopy(payload, 0, frame, at, payload.length);
        return frame;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Whether the batch is large enough to be written now, without waiting for its end. */
    boolean full() {
        return size >= FLUSH_AT;
    }

    /** The frames: the first {@link #size()} bytes. Valid until the next append or {@link #clear()}. */
    byte[] array() {
        return bytes;
    }

    int size() {
        return size;
    }

    /** Forgets the frames (written, or never to be); lets go of a large array. */
    void clear() {
        size = 0;
        if (bytes.length > RETAINED) {
            bytes = NONE;
        }
    }

    /** Makes room for {@code length} more bytes; returns where they go. */
    private int reserve(int length) {
        int needed = size + length;
        if (needed > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(needed, Math.max(256, Math.min(bytes.length * 2, FLUSH_AT))));
        }
        return size;
    }
}
