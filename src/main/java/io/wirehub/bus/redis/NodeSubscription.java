package io.wirehub.bus.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import redis.clients.jedis.BinaryJedisShardedPubSub;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;

/**
 * The shard channels one cluster primary owns, SSUBSCRIBEd on one connection read by one thread,
 * {@code redis-shard-<host>:<port>}. One SSUBSCRIBE per channel: Redis refuses several channels
 * of different slots in one command (CROSSSLOT).
 *
 * <p>The connection first subscribes to an anchor, a channel of this node's slots that nobody
 * publishes to: it keeps the connection subscribed when interest routing has dropped every shard
 * here (Redis ends a subscriber's mode at zero channels), and the heartbeat re-sends its
 * SSUBSCRIBE, which Redis answers like a PONG (Jedis's sharded pub/sub has no PING).
 *
 * <p>It ends (counts {@code ended} down) when the connection fails, when its heartbeat goes
 * unanswered, or when Redis drops a channel we did not ask to leave (an {@code sunsubscribe}: the
 * slot moved to another node). The {@link ClusterSubscription} then starts over.
 */
final class NodeSubscription implements AutoCloseable {
    private final ClusterSubscription.ClusterNodes nodes;
    private final HostAndPort node;
    private final byte[] anchor;
    private final List<byte[]> initial;
    private final Set<String> initialPending = ConcurrentHashMap.newKeySet();
    private final Set<String> leaving = ConcurrentHashMap.newKeySet();
    private final MessageIntake intake;
    private final CountDownLatch acknowledged;
    private final Consumer<byte[]> shardAcknowledged;
    private final CountDownLatch ended;
    private final SubscriptionHeartbeat heartbeat;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread thread;
    private volatile Connection connection;
    private volatile Messages messages;
    volatile RuntimeException failure;

    /**
     * @param acknowledged counted down for the anchor and for each of {@code initial} as Redis acknowledges them
     * @param shardAcknowledged told of every shard channel's acknowledgement (not the anchor's), on the node's thread
     */
    NodeSubscription(
            ClusterSubscription.ClusterNodes nodes,
            HostAndPort node,
            byte[] anchor,
            List<byte[]> initial,
            MessageIntake intake,
            CountDownLatch acknowledged,
            Consumer<byte[]> shardAcknowledged,
            CountDownLatch ended,
            SubscriptionHeartbeat heartbeat) {
        this.nodes = nodes;
        this.node = node;
        this.anchor = anchor;
        this.initial = initial;
        initial.forEach(channel -> initialPending.add(name(channel)));
        this.intake = intake;
        this.acknowledged = acknowledged;
        this.shardAcknowledged = shardAcknowledged;
        this.ended = ended;
        this.heartbeat = heartbeat;
        this.thread =
                Thread.ofPlatform().name("redis-shard-" + node).daemon(true).unstarted(this::run);
    }

    void start() {
        thread.start();
        heartbeat.start();
    }

    /** SSUBSCRIBE on the live connection (interest routing); false when it is not subscribed now. */
    boolean subscribe(List<byte[]> channels) {
        Messages current = messages;
        return current != null
                && heartbeat.whileWatched(() -> channels.forEach(channel -> current.ssubscribe(channel)));
    }

    /** SUNSUBSCRIBE on the live connection (interest routing); false when it is not subscribed now. */
    boolean unsubscribe(List<byte[]> channels) {
        Messages current = messages;
        return current != null
                && heartbeat.whileWatched(() -> channels.forEach(channel -> {
                    leaving.add(name(channel)); // so its sunsubscribe is not taken for a moved slot
                    current.sunsubscribe(channel);
                }));
    }

    private void run() {
        try {
            Connection opened = new Connection(node, nodes.credentials().clientConfig(nodes.clientName()));
            connection = opened;
            if (!closed.get()) {
                new Messages().proceed(opened, anchor); // returns or throws when the connection ends
            }
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            messages = null;
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

    private static String name(byte[] channel) {
        return new String(channel, StandardCharsets.UTF_8);
    }

    /** Jedis calls these on the node's thread, in the order Redis sent them. */
    private final class Messages extends BinaryJedisShardedPubSub {
        private final Set<String> subscribedHere = new HashSet<>();

        @Override
        public void onSSubscribe(byte[] channel, int subscribedChannels) {
            heartbeat.ponged(); // an acknowledgement is also the answer to the heartbeat's SSUBSCRIBE
            if (!subscribedHere.add(name(channel))) {
                return; // the heartbeat's, again
            }
            if (Arrays.equals(channel, anchor)) {
                heartbeat.watch(() -> ssubscribe(anchor), NodeSubscription.this::unanswered);
                messages = this;
                for (byte[] more : initial) {
                    if (!heartbeat.whileWatched(() -> ssubscribe(more))) {
                        return; // the connection is failing: the round starts over
                    }
                }
                acknowledged.countDown();
                return;
            }
            shardAcknowledged.accept(channel);
            if (initialPending.remove(name(channel))) {
                acknowledged.countDown();
            }
        }

        @Override
        public void onSUnsubscribe(byte[] channel, int subscribedChannels) {
            String name = name(channel);
            subscribedHere.remove(name);
            if (leaving.remove(name)) {
                return; // we asked for it
            }
            // Redis took the channel away on its own: its slot moved. Start over on a fresh slot map.
            failure = new IllegalStateException(node + " dropped " + name + " (its slot moved)");
            heartbeat.unwatch();
            disconnect();
        }

        @Override
        public void onSMessage(byte[] channel, byte[] message) {
            intake.accept(channel, message);
        }
    }
}
