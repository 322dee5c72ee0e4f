import java.io.IOException;

/**
 * A chunked HTTP/1.1 body (RFC 9112, section 7.1) decoded in place as its bytes arrive, across
 * reads: the subscriber reads its SSE stream through one, the publisher skips its answers' bodies
 * with another. Chunk extensions are skipped; trailers are not expected (neither server sends any).
 */
final class ChunkedBody {
    /** Receives each run of data bytes, b[from, to), in order; {@code owner} spares a capturing lambda per read. */
    interface Data<T> {
        void accept(T owner, byte[] b, int from, int to) throws IOException;
    }

    private static final int SIZE = 0, EXTENSION = 1, DATA = 2, DATA_END = 3, LAST_CHUNK = 4, DONE = 5;
    private int state = SIZE;
    /** The chunk size being read, then the bytes of the chunk still to come. */
    private long left;

    /** For the next body on the same connection. */
    void reset() {
        state = SIZE;
        left = 0;
    }

    /** The last chunk (size 0) has begun: the body ends at the next CRLF. */
    boolean lastChunk() {
        return state == LAST_CHUNK || state == DONE;
    }

    /** The body has ended, its final CRLF read. */
    boolean done() {
        return state == DONE;
    }

    /**
     * Decodes b[off, end), handing the data to {@code data} (null: skipped). Stops right after the
     * last chunk's size line ({@link #lastChunk()}) and after the final CRLF ({@link #done()});
     * returns the offset where it stopped: {@code end} when it needs more bytes.
     */
    <T> int feed(byte[] b, int off, int end, T owner, Data<T> data) throws IOException {
        while (off < end) {
            switch (state) {
                case SIZE, EXTENSION -> {
                    byte x = b[off++];
                    if (x == '\n') {
                        if (left == 0) {
                            state = LAST_CHUNK;
                            return off;
                        }
                        state = DATA;
                    } else if (state == SIZE && x != '\r') {
                        int v = Character.digit(x, 16);
                        if (v >= 0) {
                            left = left * 16 + v;
                        } else {
                            state = EXTENSION;
                        }
                    }
                }
                case DATA -> {
                    int n = (int) Math.min(end - off, left);
                    if (data != null) {
                        data.accept(owner, b, off, off + n);
                    }
                    off += n;
                    left -= n;
                    if (left == 0) {
                        state = DATA_END;
                    }
                }
                case DATA_END -> {
                    if (b[off++] == '\n') {
                        state = SIZE;
                    }
                }
                case LAST_CHUNK -> { // its CRLF ends the body
                    if (b[off++] == '\n') {
                        state = DONE;
                        return off;
                    }
                }
                default -> throw new IOException("bytes after the last chunk");
            }
        }
        return off;
    }
}
