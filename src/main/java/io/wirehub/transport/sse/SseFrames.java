package io.wirehub.transport.sse;

import io.wirehub.event.Cursor;
import io.wirehub.event.Encoding;
import java.nio.charset.StandardCharsets;

/**
 * Server-Sent Events framing (WHATWG HTML, "Server-sent events").
 *
 * <p>Multi-line data is split into one {@code data:} line per line, on CR LF, CR or LF, so it
 * round-trips through any EventSource. Names and ids are validated before they get here, so no
 * CR, LF or NUL can reach an {@code id:} or {@code event:} line.
 */
public final class SseFrames {
    // NOTE: clients and proxies see this comment every heartbeat interval on an idle stream.
    public static final byte[] HEARTBEAT = ":\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ID_PREFIX = "id: ".getBytes(StandardCharsets.US_ASCII);
    /** An event's frame without its {@code id:} line: {@code event:} and {@code data:} lines, then the blank line. */
    public static final Encoding BODY =
            new Encoding("sse body", event -> body(event.type(), event.data()).getBytes(StandardCharsets.UTF_8));

    private SseFrames() {}

    static String body(String type, String data) {
        StringBuilder out = new StringBuilder(data.length() + 32);
        if (type != null) {
            out.append("event: ").append(type).append('\n');
        }
        appendData(out, data);
        return out.append('\n').toString();
    }

    /** The size of the {@code id:} line for this cursor (see {@link #writeIdLine}). */
    public static int idLineLength(String epoch, CharSequence cursorToken) {
        return ID_PREFIX.length + epoch.length() + 1 + cursorToken.length() + 1;
    }

    /**
     * Writes the {@code id:} line that precedes an event's body, {@code id: <epoch>~<cursor>},
     * at the start of {@code out}, which has room for {@link #idLineLength}. It is built per
     * delivery, so into a buffer the stream reuses rather than a new string. The epoch and the
     * token are ASCII ({@link Cursor}), so their chars are their bytes.
     */
    public static void writeIdLine(byte[] out, String epoch, CharSequence cursorToken) {
        System.arraycopy(ID_PREFIX, 0, out, 0, ID_PREFIX.length);
        int at = ID_PREFIX.length;
        for (int i = 0; i < epoch.length(); i++) {
            out[at++] = (byte) epoch.charAt(i);
        }
        out[at++] = Cursor.EPOCH_SEPARATOR;
        for (int i = 0; i < cursorToken.length(); i++) {
            out[at++] = (byte) cursorToken.charAt(i);
        }
        out[at] = '\n';
    }

    /** A whole frame with its own id, event name and data (reset and shutdown notices). */
    public static byte[] frame(String cursorToken, String type, String data) {
        return ("id: " + cursorToken + "\n" + body(type, data)).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A stream's first frame: the reconnect delay, and the stream's position as its id, with no
     * data (so no event is dispatched). An EventSource that drops before its first event then
     * resumes from where it started, not from the moment it reconnects; a client following
     * several topics learns each one's seq, and so which topic each later id advances.
     */
    public static byte[] opening(long retryMillis, String stampedCursor) {
        return ("retry: " + retryMillis + "\nid: " + stampedCursor + "\n\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Tells EventSource how long to wait before it reconnects. */
    public static byte[] retry(long millis) {
        return ("retry: " + millis + "\n\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static void appendData(StringBuilder out, String data) {
        int start = 0;
        int length = data.length();
        for (int i = 0; i < length; i++) {
            char c = data.charAt(i);
            if (c == '\r' || c == '\n') {
                out.append("data: ").append(data, start, i).append('\n');
                if (c == '\r' && i + 1 < length && data.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        out.append("data: ").append(data, start, length).append('\n');
    }
}
