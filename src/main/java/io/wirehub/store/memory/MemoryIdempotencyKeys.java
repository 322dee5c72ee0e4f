package io.wirehub.store.memory;

import io.wirehub.store.IdempotencyKeys;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The keys of one instance, in memory: a map in claim order, bounded in age
 * ({@code publish.idempotency_ttl}, the oldest expire first) and in count, per scope and in all.
 * A key is never forgotten before its TTL to make room, least of all while its publish is in
 * progress: forgetting it would let a retry store the events again. A scope at its bound, or a
 * full map, is refused new keys instead ({@link TooManyKeysException}, nothing stored), so one
 * publisher's keys cost only that publisher. One lock; every operation is a few map steps, never
 * I/O.
 */
public final class MemoryIdempotencyKeys implements IdempotencyKeys {
    private record Scoped(String scope, String key) {}

    private record Entry(long owner, long claimedNanos, Outcome outcome) {}

    private final int maxKeys;
    private final int maxKeysPerScope;
    private final long ttlNanos;
    private final LongSupplier nanoClock;
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<Scoped, Entry> keys = new LinkedHashMap<>(); // guarded by lock, as all below
    private final Map<String, Integer> perScope = new HashMap<>();
    private long nextOwner;

    /**
     * @param maxKeys keys remembered in all, a memory bound
     * @param maxKeysPerScope keys one scope (publisher) may hold, so that it cannot take the others' room
     */
    public MemoryIdempotencyKeys(int maxKeys, int maxKeysPerScope, Duration ttl, LongSupplier nanoClock) {
        this.maxKeys = maxKeys;
        this.maxKeysPerScope = maxKeysPerScope;
        this.ttlNanos = ttl.toNanos();
        this.nanoClock = nanoClock;
    }

    @Override
    public Claim claim(String scope, String key) {
        long now = nanoClock.getAsLong();
        Scoped scoped = new Scoped(scope, key);
        lock.lock();
        try {
            forgetExpired(now);
            Entry entry = keys.get(scoped);
            if (entry != null) {
                return entry.outcome() == null ? Claim.PENDING : Claim.done(entry.outcome());
            }
            if (perScope.getOrDefault(scope, 0) >= maxKeysPerScope) {
                throw new TooManyKeysException(
                        "this publisher already has " + maxKeysPerScope + " idempotency keys remembered,"
                                + " the most one publisher may hold with the memory store (each for publish.idempotency_ttl); nothing was"
                                + " stored. Publish without a key, shorten publish.idempotency_ttl, or use store.type postgres");
            }
            if (keys.size() >= maxKeys) {
                throw new TooManyKeysException(
                        "this instance already remembers " + maxKeys + " idempotency keys, the most the"
                                + " memory store holds (each for publish.idempotency_ttl); nothing was stored. Retry later, publish"
                                + " without a key, or use store.type postgres");
            }
            long owner = ++nextOwner;
            keys.put(scoped, new Entry(owner, now, null));
            perScope.merge(scope, 1, Integer::sum);
            return Claim.owned(new Ticket(scope, key, owner));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void complete(Ticket ticket, Outcome outcome) {
        lock.lock();
        try {
            keys.computeIfPresent(
                    new Scoped(ticket.scope(), ticket.key()),
                    (k, entry) -> entry.owner() == ticket.owner()
                            ? new Entry(entry.owner(), entry.claimedNanos(), outcome)
                            : entry);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void release(Ticket ticket) {
        lock.lock();
        try {
            Scoped scoped = new Scoped(ticket.scope(), ticket.key());
            Entry entry = keys.get(scoped);
            if (entry != null && entry.owner() == ticket.owner() && entry.outcome() == null) {
                keys.remove(scoped);
                forgotten(ticket.scope());
            }
        } finally {
            lock.unlock();
        }
    }

    private void forgetExpired(long now) {
        Iterator<Map.Entry<Scoped, Entry>> oldest = keys.entrySet().iterator();
        while (oldest.hasNext()) {
            Map.Entry<Scoped, Entry> next = oldest.next();
            if (now - next.getValue().claimedNanos() <= ttlNanos) {
                return;
            }
            oldest.remove();
            forgotten(next.getKey().scope());
        }
    }

    private void forgotten(String scope) {
        perScope.computeIfPresent(scope, (s, count) -> count == 1 ? null : count - 1);
    }
}
