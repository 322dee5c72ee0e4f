package io.wirehub.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** Takes what a test client received, against one deadline for the lot. */
final class Received {
    private Received() {}

    /** Exactly {@code count} items, failing when they do not all come within the timeout. */
    static <T> List<T> take(BlockingQueue<T> queue, int count, Duration timeout, String what)
            throws InterruptedException {
        List<T> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out.size() < count) {
            long left = deadline - System.nanoTime();
            T item = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
            if (item == null) {
                throw new AssertionError("got " + out.size() + " of " + count + " " + what + " within " + timeout
                        + (out.isEmpty() ? "" : "; the last: " + clip(out.getLast())));
            }
            out.add(item);
        }
        return out;
    }

    private static String clip(Object item) {
        String text = String.valueOf(item);
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }
}
