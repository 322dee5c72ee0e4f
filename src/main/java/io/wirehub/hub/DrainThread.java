package io.wirehub.hub;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A stream's drain thread as the other threads see it, for one purpose: interrupting it. An
 * interrupt is how a socket write stuck on a client that stopped reading is cut off (it fails
 * at once), but it must neither land inside a store read (an interrupted JDBC call breaks a
 * pooled connection) nor reach the thread after the drain loop ended (for SSE that thread is
 * Helidon's, and goes on serving the connection).
 *
 * <p>So the thread is bound while the loop runs, store reads are marked, and {@link #interrupt}
 * skips a thread inside one; no read starts once the stream is closed, so nothing is written
 * after it either.
 *
 * <p>Nor must a close's interrupt cut the final write (the {@code token_expired} event, the
 * shutdown's {@code retry:}, the WebSocket close code). {@code close()} interrupts after its
 * compare-and-set, and the drain thread may see the stream closed in between (at its next write or
 * loop check) and reach that write first. So once {@link #finishing} began, {@link #interrupt}
 * is refused: the loop it was meant to end has ended. Only the final write's own deadline,
 * {@link #interruptOverdueWrite}, cuts it then.
 */
final class DrainThread {
    private final ReentrantLock lock = new ReentrantLock();
    private final BooleanSupplier streamClosed;
    private Thread thread; // guarded by lock
    private boolean readingStore; // guarded by lock
    private boolean finishing; // guarded by lock: the loop ended, the final write is next

    DrainThread(BooleanSupplier streamClosed) {
        this.streamClosed = streamClosed;
    }

    /** The calling thread becomes the drain thread. */
    void bind() {
        lock.lock();
        try {
            thread = Thread.currentThread();
        } finally {
            lock.unlock();
        }
    }

    /** The loop has ended: no interrupt reaches the thread after this, and none left over does. */
    void unbind() {
        lock.lock();
        try {
            thread = null;
        } finally {
            lock.unlock();
        }
        Thread.interrupted();
    }

    /**
     * The drain thread leaves the loop for its final write: from here {@link #interrupt} is
     * refused, and an interrupt it delivered before is cleared, so it cannot fail that write.
     */
    void finishing() {
        lock.lock();
        try {
            finishing = true;
        } finally {
            lock.unlock();
        }
        Thread.interrupted();
    }

    /** Cuts off what the drain loop is blocked in (a close), unless that is a store read. Any thread. */
    void interrupt() {
        lock.lock();
        try {
            if (thread != null && thread != Thread.currentThread() && !readingStore && !finishing) {
                thread.interrupt();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The write deadline of a closed stream (the ticker): cuts the write in progress, the final one
     * included, when {@code overdue} says so. It is asked under the lock, which {@link #finishing}
     * takes too, so a write that was overdue before the loop ended cannot cut the final write
     * that started after it.
     */
    void interruptOverdueWrite(BooleanSupplier overdue) {
        lock.lock();
        try {
            if (thread != null && thread != Thread.currentThread() && !readingStore && overdue.getAsBoolean()) {
                thread.interrupt();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Runs a store read on the drain thread with interrupts held off; none starts once closed. */
    <T> T readStore(Supplier<T> read) throws IOException {
        lock.lock();
        try {
            if (streamClosed.getAsBoolean()) {
                throw new IOException("stream closed");
            }
            readingStore = true;
        } finally {
            lock.unlock();
        }
        try {
            return read.get();
        } finally {
            lock.lock();
            try {
                readingStore = false;
            } finally {
                lock.unlock();
            }
        }
    }
}
