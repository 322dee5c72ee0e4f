package io.wirehub.store;

/**
 * What a topic holds after a cursor, counted without reading the events' data: how many events
 * (counted up to the limit asked), the bytes of their data (UTF-8, as stored) and the last one's
 * seq. A replay decides from it what it can afford to hold, before it reads anything.
 *
 * @param afterSeq the cursor
 * @param lastSeq the last counted event's seq; {@code afterSeq} when there is none
 */
public record Backlog(long afterSeq, int events, long bytes, long lastSeq) {

    public static Backlog empty(long afterSeq) {
        return new Backlog(afterSeq, 0, 0, afterSeq);
    }

    /** The UTF-8 length of an event's data: what PostgreSQL's {@code octet_length} gives for it. */
    public static long utf8Length(String data) {
        long bytes = data.length();
        for (int i = 0; i < data.length(); i++) {
            char c = data.charAt(i);
            if (c >= 0x80) {
                // 2 bytes below U+0800, else 3; a surrogate pair is 4 bytes for 2 chars.
                bytes += c < 0x800 ? 1 : Character.isSurrogate(c) ? 1 : 2;
            }
        }
        return bytes;
    }
}
