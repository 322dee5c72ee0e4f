package io.wirehub.transport.ws;

import io.wirehub.event.Cursor;
import io.wirehub.event.Encoding;
import io.wirehub.event.Event;
import io.wirehub.event.JsonStrings;
import java.nio.charset.StandardCharsets;

/**
 * WebSocket server frames (RFC 6455), ready for the socket: one text message per event,
 * {@code {"topic":"a","seq":17,"id":"<epoch>~<cursor>","event":"x","data":<data>}}, and the few
 * other frames a stream sends.
 *
 * <p>The data is embedded as JSON when it was published as JSON, else as a JSON string. Only the
 * {@code id} differs between subscribers (it is each stream's cursor), so the bytes before it and
 * after it are built once per event ({@link #HEAD}, {@link #TAIL}, cached on the event) and a
 * subscriber's frame is those two arrays around its cursor, copied straight into its write
 * buffer: no per-delivery string.
 *
 * <p>Server frames are never masked and never fragmented here: each is FIN with its opcode, then a
 * 7-, 16- or 64-bit payload length, then the payload.
 */
public final class WsFrames {
    public static final int TEXT = 0x1;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;
    private static final int FIN = 0x80;
    /** An event's JSON payload up to its {@code "id"} value, UTF-8: <code>&#123;"topic":"a","seq":17,"id":</code>. */
    public static final Encoding HEAD = new Encoding("websocket head", WsFrames::head);
    /** An event's JSON payload after its {@code "id"} value, UTF-8: {@code ,"event":..,"data":..}}. */
    public static final Encoding TAIL = new Encoding("websocket tail", WsFrames::tail);

    private WsFrames() {}

    /** The header's size for a payload of this many bytes: 2, 4 or 10. */
    public static int headerLength(long payloadLength) {
        return payloadLength < 126 ? 2 : payloadLength < 1 << 16 ? 4 : 10;
    }

    /** Writes a FIN frame's header at {@code at}; returns the position after it. */
    public static int writeHeader(byte[] out, int at, int opcode, long payloadLength) {
        out[at++] = (byte) (FIN | opcode);
        if (payloadLength < 126) {
            out[at++] = (byte) payloadLength;
        } else if (payloadLength < 1 << 16) {
            out[at++] = 126;
            out[at++] = (byte) (payloadLength >>> 8);
            out[at++] = (byte) payloadLength;
        } else {
            out[at++] = 127;
            for (int shift = 56; shift >= 0; shift -= 8) {
                out[at++] = (byte) (payloadLength >>> shift);
            }
        }
        return at;
    }

    /** The payload size of the event's message for a stream at this cursor (see {@link Cursor#stamped}). */
    public static int eventPayloadLength(Event event, String epoch, CharSequence cursorToken) {
        return event.encoded(HEAD).length + epoch.length() + cursorToken.length() + 3 + event.encoded(TAIL).length;
    }

    /**
     * Writes the event's whole text frame with the stream's cursor as its {@code "id"}; the caller
     * made room for {@link #headerLength} of {@link #eventPayloadLength} plus that length. The
     * epoch and the token are ASCII with nothing to escape in JSON (an epoch is {@code [0-9a-z]},
     * a token is seqs, topics of {@link io.wirehub.event.Names#TOPIC_RULE}, {@code :} and {@code ,}), so their
     * chars are their bytes. Returns the position after the frame.
     */
    public static int writeEvent(byte[] out, int at, Event event, String epoch, CharSequence cursorToken) {
        byte[] head = event.encoded(HEAD);
        byte[] tail = event.encoded(TAIL);
        at = writeHeader(out, at, TEXT, eventPayloadLength(event, epoch, cursorToken));
        System.arraycopy(head, 0, out, at, head.length);
        at += head.length;
        out[at++] = '"';
        at = writeAscii(out, at, epoch);
        out[at++] = Cursor.EPOCH_SEPARATOR;
        at = writeAscii(out, at, cursorToken);
        out[at++] = '"';
        System.arraycopy(tail, 0, out, at, tail.length);
        return at + tail.length;
    }

    private static int writeAscii(byte[] out, int at, CharSequence ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            out[at++] = (byte) ascii.charAt(i);
        }
        return at;
    }

    private static byte[] head(Event event) {
        return ("{\"topic\":\"" + event.topic() + "\",\"seq\":" + event.seq() + ",\"id\":")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] tail(Event event) {
        StringBuilder out = new StringBuilder(event.data().length() + 32);
        if (event.type() != null) {
            out.append(",\"event\":\"").append(event.type()).append('"');
        }
        out.append(",\"data\":");
        if (event.json()) {
            out.append(event.data());
        } else {
            JsonStrings.quote(out, event.data());
        }
        return out.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }
}
