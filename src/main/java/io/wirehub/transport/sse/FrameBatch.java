package io.wirehub.transport.sse;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * The SSE frames of one drain batch, copied together so that the batch reaches Helidon as one
 * write: one HTTP chunk and one socket write per batch, however many events it holds.
 *
 * <p>Why not Helidon's response buffer: it is a {@code BufferedOutputStream} of
 * {@code write-buffer-size} bytes (4 KB by default) allocated when the stream opens and kept for
 * its whole life, so 10,000 idle streams held 40 MB of empty buffers. This batch holds a buffer
 * only while a batch is being written, borrowed from a small pool shared by every stream
 * ({@link WriteBuffers}) and given back after the write, so an idle stream holds two empty fields
 * and a delivery allocates no buffer. When the pool is empty it gathers into an array of its own.
 *
 * <p>Drain thread only.
 */
final class FrameBatch {
    private static final int FIRST_CAPACITY = 512; // one 150-byte event with its id line fits
    // A batch past this goes out in several writes: bounds the copy, and the chunk a slow client
    // must take before the next one starts (Helidon's buffer bounded it to 4 KB).
    static final int MAX_WRITE_BYTES = 16 * 1024;
    // 32 x 16 KB = 512 KB for the whole server: a buffer is out only during a batch's copy and
    // write, and two carriers run two batches at a time (more while slow clients' writes wait).
    static final WriteBuffers SHARED = new WriteBuffers(32);

    private final WriteBuffers pool;

    private byte[] buffer; // null between batches
    private int length;

    FrameBatch() {
        this(SHARED);
    }

    FrameBatch(WriteBuffers pool) {
        this.pool = pool;
    }

    /** Adds a frame (or part of one) to the batch; may write what is gathered when it is large. */
    void add(byte[] bytes, OutputStream out) throws IOException {
        add(bytes, bytes.length, out);
    }

    /** Adds the first {@code count} bytes of {@code bytes}. */
    void add(byte[] bytes, int count, OutputStream out) throws IOException {
        if (length > 0 && length + count > MAX_WRITE_BYTES) {
            out.write(buffer, 0, length); // goes out now; the buffer is reused for the rest of the batch
            length = 0;
        }
        if (buffer == null) {
            byte[] borrowed = count <= WriteBuffers.SIZE ? pool.borrow() : null;
            buffer = borrowed != null ? borrowed : new byte[Math.max(FIRST_CAPACITY, count)];
        } else if (length + count > buffer.length) {
            byte[] grown = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + count));
            pool.giveBack(buffer); // a pooled one goes back now: the pool must not shrink
            buffer = grown;
        }
        System.arraycopy(bytes, 0, buffer, length, count);
        length += count;
    }

    /** Writes what is gathered, in one write, and gives the buffer back (the caller flushes). */
    void sendTo(OutputStream out) throws IOException {
        byte[] gathered = buffer;
        int gatheredLength = length;
        buffer = null; // dropped even when the write fails: the stream is over then
        length = 0;
        if (gathered == null) {
            return;
        }
        try {
            if (gatheredLength > 0) {
                out.write(gathered, 0, gatheredLength);
            }
        } finally {
            pool.giveBack(gathered); // the response stream copied it into its chunk, or failed
        }
    }
}
