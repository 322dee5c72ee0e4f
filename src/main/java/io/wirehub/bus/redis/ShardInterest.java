package io.wirehub.bus.redis;

import io.wirehub.bus.TopicInterest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Which shard channels this instance wants, from the topics the hub follows, and the thread that
 * makes the subscription match: {@code redis-interest} sends SUBSCRIBE for a shard when its first
 * topic is followed, and UNSUBSCRIBE {@value #LINGER_SECONDS} s after its last is unfollowed (so
 * streams that come and go do not make Redis subscribe and unsubscribe all day).
 *
 * <p>No gap: a shard's subscription is not live until Redis acknowledges it, and events of its
 * topics published before that are lost. So on each acknowledgement ({@link #acknowledged}) the
 * bus has the hub re-read the shard's topics from the store; a topic followed after the
 * acknowledgement was positioned from the store while the subscription was live already.
 *
 * <p>Threads: the hub calls {@link #follow}/{@link #unfollow} while it changes a topic's entry;
 * they only update maps under a short lock and wake the worker, never touch the network. The
 * subscriber thread calls {@link #connecting} before each SUBSCRIBE on a fresh connection (or, on a
 * cluster, before each round of node connections), which then carries every wanted shard, {@link #ready} once that connection is subscribed, and
 * {@link #acknowledged} for each shard acknowledgement. Cost: one virtual thread, asleep but for
 * subscription changes; memory per followed topic (a set entry), bounded shards.
 */
final class ShardInterest implements Routing, TopicInterest {
    private static final long LINGER_SECONDS = 30;
    // How long a shard stays subscribed after its last topic is unfollowed.
    static final Duration LINGER = Duration.ofSeconds(LINGER_SECONDS);

    private final ShardChannels channels;
    private final Duration linger;
    private final LongSupplier nanoClock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Held while a difference is computed and sent, and while a fresh connection takes the wanted
    // set: what was sent on which connection never gets mixed up.
    private final ReentrantLock sending = new ReentrantLock();
    private final Map<Integer, Set<String>> topics = new HashMap<>(); // shard -> followed topics; guarded by lock
    private final Map<Integer, Long> emptySince = new HashMap<>(); // lingering shards; guarded by lock
    private final Set<Integer> sent =
            new HashSet<>(); // subscribed (or asked) on the current connection; guarded by lock
    private final AtomicBoolean closed = new AtomicBoolean();
    private boolean ready; // a subscribed connection takes commands; guarded by lock
    private Commands commands;
    private Thread worker;

    ShardInterest(ShardChannels channels, Duration linger, LongSupplier nanoClock) {
        this.channels = channels;
        this.linger = linger;
        this.nanoClock = nanoClock;
    }

    /** Starts the worker; it sends through {@code commands}. */
    @Override
    public void start(Commands commands) {
        this.commands = commands;
        this.worker = Thread.ofVirtual().name("redis-interest").start(this::run);
    }

    @Override
    public void follow(String topic) {
        int shard = channels.shardOf(topic);
        lock.lock();
        try {
            topics.computeIfAbsent(shard, s -> new HashSet<>()).add(topic);
            emptySince.remove(shard);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void unfollow(String topic) {
        int shard = channels.shardOf(topic);
        lock.lock();
        try {
            Set<String> followed = topics.get(shard);
            if (followed == null || !followed.remove(topic) || !followed.isEmpty()) {
                return;
            }
            topics.remove(shard);
            emptySince.put(shard, nanoClock.getAsLong());
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A fresh connection is about to SUBSCRIBE: returns the shard channels it must carry, which
     * count as sent on it from now on. No command goes out until {@link #ready}.
     */
    @Override
    public List<byte[]> connecting() {
        sending.lock();
        try {
            lock.lock();
            try {
                ready = false;
                sent.clear();
                sent.addAll(wanted(nanoClock.getAsLong()));
                return sent.stream().sorted().map(channels::channel).toList();
            } finally {
                lock.unlock();
            }
        } finally {
            sending.unlock();
        }
    }

    /** The connection is subscribed and takes commands. */
    @Override
    public void ready() {
        lock.lock();
        try {
            ready = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Redis acknowledged the subscription to {@code channel}: returns the topics whose events may
     * have been lost before it (the shard's followed topics), to be re-read from the store.
     */
    @Override
    public List<String> acknowledged(byte[] channel) {
        int shard = channels.shardOfChannel(channel);
        lock.lock();
        try {
            Set<String> followed = shard < 0 ? null : topics.get(shard);
            return followed == null ? List.of() : List.copyOf(followed);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public byte[] channelOf(String topic) {
        return channels.channelOf(topic);
    }

    @Override
    public boolean backfillsPerShard() {
        return true;
    }

    @Override
    public TopicInterest interest() {
        return this;
    }

    @Override
    public int subscribedShards(boolean subscribed) {
        return subscribedShards();
    }

    @Override
    public String describe() {
        return ", routing by interest over " + channels.count() + " shard channels " + channels.anchorName() + ":<n>";
    }

    /** Shards subscribed (or being subscribed) on the current connection. */
    int subscribedShards() {
        lock.lock();
        try {
            return sent.size();
        } finally {
            lock.unlock();
        }
    }

    /** Topics followed here. */
    int followedTopics() {
        lock.lock();
        try {
            return topics.values().stream().mapToInt(Set::size).sum();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (!closed.get()) {
            try {
                awaitWork();
            } catch (InterruptedException e) {
                continue; // close() wakes us; the loop checks closed
            }
            sendDifference();
        }
    }

    /** Waits until a connection takes commands and the subscription differs from what is wanted. */
    private void awaitWork() throws InterruptedException {
        lock.lock();
        try {
            while (!closed.get()) {
                long now = nanoClock.getAsLong();
                if (ready && !wanted(now).equals(sent)) {
                    return;
                }
                long wait = ready ? nanosToNextExpiry(now) : Long.MAX_VALUE;
                if (wait == Long.MAX_VALUE) {
                    changed.await();
                } else {
                    changed.awaitNanos(Math.max(wait, TimeUnit.MILLISECONDS.toNanos(1)));
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void sendDifference() {
        sending.lock();
        try {
            List<Integer> add = new ArrayList<>();
            List<Integer> remove = new ArrayList<>();
            lock.lock();
            try {
                if (!ready) {
                    return;
                }
                Set<Integer> wanted = wanted(nanoClock.getAsLong());
                wanted.stream().filter(shard -> !sent.contains(shard)).forEach(add::add);
                sent.stream().filter(shard -> !wanted.contains(shard)).forEach(remove::add);
            } finally {
                lock.unlock();
            }
            boolean done = (add.isEmpty()
                            || commands.subscribe(
                                    add.stream().map(channels::channel).toList()))
                    && (remove.isEmpty()
                            || commands.unsubscribe(
                                    remove.stream().map(channels::channel).toList()));
            lock.lock();
            try {
                if (done) {
                    sent.addAll(add);
                    sent.removeAll(remove);
                } else {
                    ready = false; // the connection is going: the next one carries what is wanted
                }
            } finally {
                lock.unlock();
            }
        } finally {
            sending.unlock();
        }
    }

    /** Shards with followed topics, and those lingering still; drops the lingerings that expired. Under lock. */
    private Set<Integer> wanted(long now) {
        emptySince.values().removeIf(since -> now - since >= linger.toNanos());
        Set<Integer> wanted = new TreeSet<>(topics.keySet());
        wanted.addAll(emptySince.keySet());
        return wanted;
    }

    private long nanosToNextExpiry(long now) {
        long next = Long.MAX_VALUE;
        for (long since : emptySince.values()) {
            next = Math.min(next, since + linger.toNanos() - now);
        }
        return next;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        Thread current = worker;
        if (current != null) {
            current.interrupt();
        }
    }
}
