package io.wirehub.store.memory;

import io.wirehub.store.IdempotencyKeys;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The keys of one instance, in memory: a map in claim order, bounded in count (the oldest key is
 * forgotten first) and in age ({@code publish.idempotency_ttl}). One lock; every operation is a
 * few map steps, never I/O.
 */
public final class MemoryIdempotencyKeys implements IdempotencyKeys {
    private record Entry(long claimedNanos, Outcome outcome) {}

    private final int maxKeys;
    private final long ttlNanos;
    private final LongSupplier nanoClock;
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<String, Entry> keys = new LinkedHashMap<>();

    public MemoryIdempotencyKeys(int maxKeys, Duration ttl, LongSupplier nanoClock) {
        this.maxKeys = maxKeys;
        this.ttlNanos = ttl.toNanos();
        this.nanoClock = nanoClock;
    }

    @Override
    public Claim claim(String key) {
        long now = nanoClock.getAsLong();
        lock.lock();
        try {
            forgetExpired(now);
            Entry entry = keys.get(key);
            if (entry != null) {
                return entry.outcome() == null ? Claim.PENDING : Claim.done(entry.outcome());
            }
            if (keys.size() >= maxKeys) {
                Iterator<Map.Entry<String, Entry>> oldest = keys.entrySet().iterator();
                oldest.next();
                oldest.remove();
            }
            keys.put(key, new Entry(now, null));
            return Claim.OWNED;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void complete(String key, Outcome outcome) {
        lock.lock();
        try {
            keys.computeIfPresent(key, (k, entry) -> new Entry(entry.claimedNanos(), outcome));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void release(String key) {
        lock.lock();
        try {
            keys.remove(key);
        } finally {
            lock.unlock();
        }
    }

    private void forgetExpired(long now) {
        Iterator<Entry> oldest = keys.values().iterator();
        while (oldest.hasNext() && now - oldest.next().claimedNanos() > ttlNanos) {
            oldest.remove();
        }
    }
}
