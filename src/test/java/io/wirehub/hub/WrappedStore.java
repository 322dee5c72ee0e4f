package io.wirehub.hub;

import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.store.EventStore;
import io.wirehub.store.Snapshot;
import io.wirehub.store.memory.MemoryEventStore;
import java.time.InstantSource;
import java.util.List;

/** A real memory store that tests bend: subclasses change what a read returns, or when. No mock. */
public abstract class WrappedStore implements EventStore {
    protected final MemoryEventStore delegate = new MemoryEventStore(1000, InstantSource.system());

    @Override
    public List<Event> append(List<NewEvent> events) {
        return delegate.append(events);
    }

    @Override
    public List<Event> readAfter(String topic, long afterSeq, int limit) {
        return delegate.readAfter(topic, afterSeq, limit);
    }

    @Override
    public long latestSeq(String topic) {
        return delegate.latestSeq(topic);
    }

    @Override
    public Snapshot snapshot(String topic, int limit, long maxBytes) {
        return delegate.snapshot(topic, limit, maxBytes);
    }

    @Override
    public String epoch() {
        return delegate.epoch();
    }

    @Override
    public boolean isHealthy() {
        return true;
    }

    @Override
    public void close() {}
}
