package io.wirehub.transport.sse;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A few write buffers of {@link FrameBatch#MAX_WRITE_BYTES} shared by every SSE stream: a batch
 * borrows one, gathers its frames, writes them, and gives it back. Why: a buffer of its own per
 * batch was an array per delivery when events come one at a time (528 of the ~850 bytes each SSE
 * delivery allocated, a young collection every 0.6 s at 100,000 deliveries/s), and a buffer kept
 * per stream is what {@link FrameBatch} exists to avoid.
 *
 * <p>Bounded: when every buffer is out (a batch holds its buffer through its socket write, which a
 * slow client can stretch), the caller gathers into an array of its own, as before; a returned
 * buffer finds a free slot or is left to the collector. Lock-free; any thread.
 */
final class WriteBuffers {
    static final int SIZE = FrameBatch.MAX_WRITE_BYTES;

    private final AtomicReferenceArray<byte[]> slots;

    WriteBuffers(int count) {
        slots = new AtomicReferenceArray<>(count);
        for (int i = 0; i < count; i++) {
            slots.set(i, new byte[SIZE]);
        }
    }

    /** A buffer of {@link #SIZE} bytes, or null when all are out. */
    byte[] borrow() {
        for (int i = 0; i < slots.length(); i++) {
            byte[] buffer = slots.get(i);
            if (buffer != null && slots.compareAndSet(i, buffer, null)) {
                return buffer;
            }
        }
        return null;
    }

    /** Takes back a buffer; arrays of another size (a grown batch) are not kept. */
    void giveBack(byte[] buffer) {
        if (buffer.length != SIZE) {
            return;
        }
        for (int i = 0; i < slots.length(); i++) {
            if (slots.get(i) == null && slots.compareAndSet(i, null, buffer)) {
                return;
            }
        }
    }

    /** Buffers in the pool now (not lent). */
    int available() {
        int count = 0;
        for (int i = 0; i < slots.length(); i++) {
            if (slots.get(i) != null) {
                count++;
            }
        }
        return count;
    }
}
