package io.wirehub.hub;

import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.store.EventStore;
import io.wirehub.store.Snapshot;
import io.wirehub.store.memory.MemoryEventStore;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** A real memory store whose next read waits at a gate the test opens: a slow database, without a mock. */
final class GatedStore implements EventStore {
    final MemoryEventStore delegate = new MemoryEventStore(1000, InstantSource.system());
    final CountDownLatch reading = new CountDownLatch(1);
    volatile CountDownLatch gate;

    @Override
    public List<Event> append(List<NewEvent> events) {
        return delegate.append(events);
    }

    @Override
    public List<Event> readAfter(String topic, long afterSeq, int limit) {
        awaitGate();
        return delegate.readAfter(topic, afterSeq, limit);
    }

    @Override
    public long latestSeq(String topic) {
        awaitGate();
        return delegate.latestSeq(topic);
    }

    @Override
    public Snapshot snapshot(String topic, int limit) {
        return delegate.snapshot(topic, limit);
    }

    @Override
    public boolean isHealthy() {
        return true;
    }

    @Override
    public void close() {}

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
