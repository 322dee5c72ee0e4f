package io.wirehub.bus.redis;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import redis.clients.jedis.BinaryJedisShardedPubSub;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;

/**
 * The shard channels one cluster primary owns, SSUBSCRIBEd on one connection read by one thread,
 * {@code redis-shard-<host>:<port>}. One SSUBSCRIBE per channel: Redis refuses several channels
 * of different slots in one command (CROSSSLOT).
 *
 * <p>It ends (counts {@code ended} down) when the connection fails, when its heartbeat goes
 * unanswered, or when Redis drops one of its channels on its own (an {@code sunsubscribe} we did
 * not ask for: the slot moved to another node). The {@link ClusterSubscription} then starts over.
 */
final class NodeSubscription implements AutoCloseable {
    private final ClusterSubscription.ClusterNodes nodes;
    private final HostAndPort node;
    private final List<byte[]> held;
    private final MessageIntake intake;
    private final CountDownLatch acknowledged;
    private final CountDownLatch ended;
    private final SubscriptionHeartbeat heartbeat;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread thread;
    private volatile Connection connection;
    volatile RuntimeException failure;

    NodeSubscription(ClusterSubscription.ClusterNodes nodes, HostAndPort node, List<byte[]> held, MessageIntake intake,
            CountDownLatch acknowledged, CountDownLatch ended, SubscriptionHeartbeat heartbeat) {
        this.nodes = nodes;
        this.node = node;
        this.held = held;
        this.intake = intake;
        this.acknowledged = acknowledged;
        this.ended = ended;
        this.heartbeat = heartbeat;
        this.thread = Thread.ofPlatform().name("redis-shard-" + node).daemon(true).unstarted(this::run);
    }

    void start() {
        thread.start();
        heartbeat.start();
    }

    private void run() {
        try {
            Connection opened = new Connection(node, nodes.credentials().clientConfig(nodes.clientName()));
            connection = opened;
            if (!closed.get()) {
                new Messages().proceed(opened, held.getFirst()); // returns or throws when the connection ends
            }
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            heartbeat.unwatch();
            ended.countDown();
        }
    }

    private void unanswered() {
        failure = new IllegalStateException("no answer from " + node + " within the ping timeout");
        disconnect();
    }

    private void disconnect() {
        Connection current = connection;
        if (current != null) {
            try {
                current.disconnect();
            } catch (RuntimeException e) {
                // closed either way
            }
        }
    }

    /** Ends the connection and both threads; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        heartbeat.close(); // first: nothing may be written on the connection after it is closed
        disconnect();
        if (thread.getState() != Thread.State.NEW && Thread.currentThread() != thread) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Connection current = connection;
        if (current != null) {
            current.close();
        }
    }

    /** Jedis calls these on the node's thread, in the order Redis sent them. */
    private final class Messages extends BinaryJedisShardedPubSub {
        private final Set<String> acknowledgedHere = new HashSet<>();

        @Override
        public void onSSubscribe(byte[] channel, int subscribedChannels) {
            heartbeat.ponged(); // an acknowledgement is also the answer to the heartbeat's SSUBSCRIBE
            if (!acknowledgedHere.add(new String(channel, StandardCharsets.UTF_8))) {
                return; // the heartbeat's, again
            }
            if (acknowledgedHere.size() == 1) {
                heartbeat.watch(() -> ssubscribe(held.getFirst()), NodeSubscription.this::unanswered);
                for (byte[] more : held.subList(1, held.size())) {
                    if (!heartbeat.whileWatched(() -> ssubscribe(more))) {
                        return; // the connection is failing: the round starts over
                    }
                }
            }
            acknowledged.countDown();
        }

        @Override
        public void onSUnsubscribe(byte[] channel, int subscribedChannels) {
            // We never unsubscribe: Redis took the channel away (its slot moved). Start over.
            failure = new IllegalStateException(node + " dropped " + new String(channel, StandardCharsets.UTF_8)
                    + " (its slot moved)");
            heartbeat.unwatch();
            disconnect();
        }

        @Override
        public void onSMessage(byte[] channel, byte[] message) {
            intake.accept(channel, message);
        }
    }
}
