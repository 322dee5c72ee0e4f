package io.wirehub.hub;

import io.wirehub.event.Event;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** A real memory store whose next read waits at a gate the test opens: a slow database, without a mock. */
final class GatedStore extends WrappedStore {
    final CountDownLatch reading = new CountDownLatch(1);
    volatile CountDownLatch gate;

    @Override
    public List<Event> readAfter(String topic, long afterSeq, int limit) {
        awaitGate();
        return super.readAfter(topic, afterSeq, limit);
    }

    @Override
    public long latestSeq(String topic) {
        awaitGate();
        return super.latestSeq(topic);
    }

    private void awaitGate() {
        CountDownLatch current = gate;
        if (current != null) {
            gate = null;
            reading.countDown();
            try {
                current.await();
            } catch (InterruptedException e) {
                throw new AssertionError("a store read was interrupted", e);
            }
        }
    }
}
