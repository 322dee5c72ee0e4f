package io.wirehub.hub;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * How much event data the replays of reconnecting clients may hold at once: each at most
 * {@link #STREAM_BYTES}, all of this instance's together at most {@link #TOTAL_BYTES}. A replay
 * sizes its topics first ({@code EventStore.backlogs}, which reads no data), reserves what it will
 * read here, and gives it back once it has written it; a topic that does not fit is reset, never
 * replayed in part.
 *
 * <p>Counted is the event data as stored (UTF-8). What the heap holds for it is larger: the
 * driver's row buffers while reading, the strings (up to twice the bytes), the frames as written;
 * about four times, so {@link #TOTAL_BYTES} stands for about 128 MB at worst. Without it, a
 * reconnect naming 64 topics held 64 × 101 events of 64 KB, about 414 MB, and concurrent ones
 * multiplied it.
 */
final class ReplayBudget {
    // One reconnect: 16 MiB is a full replay (replay_limit 100) of 1 KB events on all 64 topics
    // a stream may follow (6.4 MB) and still 250 events of the default largest size (64 KB). It is
    // also the largest server.max_event_bytes allowed, so a single event always fits.
    static final long STREAM_BYTES = 16L << 20;
    // Every replay at once: two reconnects as large as allowed; thousands of ordinary ones (a few
    // KB each). About a quarter of a 512 MB heap at worst (see above), beside the memory store's 128 MiB.
    static final long TOTAL_BYTES = 32L << 20;
    // How long a replay waits for the others to be written before its topics are reset instead:
    // the same as a read waits for a reader connection. The write deadline bounds each holder.
    static final Duration WAIT = Duration.ofSeconds(10);

    private static final int KIB = 1024; // permits are KiB, so that the total fits an int

    private final Semaphore permits;
    private final Duration wait;

    ReplayBudget() {
        this(TOTAL_BYTES, WAIT);
    }

    ReplayBudget(long totalBytes, Duration wait) {
        this.permits = new Semaphore(kib(totalBytes), true);
        this.wait = wait;
    }

    /** Bytes that the replays in progress may still reserve (metrics, tests). */
    long available() {
        return (long) permits.availablePermits() * KIB;
    }

    /**
     * Waits for {@code bytes} (at most {@link #STREAM_BYTES}) to be free, at most the wait; null
     * when they were not. Run it as a store read ({@link DrainThread#readStore}): an interrupt
     * must not cut it short, so a stream being closed waits at most the wait, like a read.
     */
    Reservation reserve(long bytes) {
        if (bytes > STREAM_BYTES || bytes < 0) {
            throw new IllegalArgumentException("a replay reserves 0 to " + STREAM_BYTES + " bytes, not " + bytes);
        }
        int wanted = kib(bytes);
        try {
            return permits.tryAcquire(wanted, wait.toMillis(), TimeUnit.MILLISECONDS) ? new Reservation(wanted) : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the stream is closing: it gets nothing more
            return null;
        }
    }

    private static int kib(long bytes) {
        return (int) ((bytes + KIB - 1) / KIB);
    }

    /** Bytes reserved until closed; closing twice gives them back once. */
    final class Reservation implements AutoCloseable {
        private int held;

        private Reservation(int held) {
            this.held = held;
        }

        @Override
        public void close() {
            permits.release(held);
            held = 0;
        }
    }
}
