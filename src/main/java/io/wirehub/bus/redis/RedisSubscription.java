package io.wirehub.bus.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Jedis;

/**
 * The instance's one subscriber connection to one Redis and the thread that reads it,
 * {@code redis-subscriber} (the loop, backoff and backfill rules are {@link BusSubscription}'s).
 *
 * <p>Each attempt connects and SUBSCRIBEs to the channel {@code <channel>:events} and the shard
 * channels the {@link Routing} wants. That one channel stays subscribed all along, so the
 * connection never runs out of subscriptions and the PING always has one to ride on. With
 * interest routing each shard's acknowledgement, on a fresh connection or when it is added later,
 * has the hub re-read that shard's topics.
 *
 * <p>A connection that goes silent without an error (a partition that sent no FIN or RST) is
 * found by the {@link SubscriptionHeartbeat}: a PING unanswered within the timeout marks the
 * subscription down and closes its socket, and the loop reconnects and backfills. Cost: one
 * platform thread and one connection per instance, whatever the number of topics.
 */
final class RedisSubscription extends BusSubscription {
    private final RedisAddress address;
    private final String clientName;
    private final byte[] channel;
    private final SubscriptionHeartbeat heartbeat;
    private volatile Jedis connection;
    private volatile Messages current; // the subscribed connection's, for commands from other threads

    RedisSubscription(RedisAddress address, String clientName, Parts parts) {
        super(parts, "redis-subscriber", "Redis at " + address.shown());
        this.address = address;
        this.clientName = clientName;
        this.channel = parts.channels().anchor();
        this.heartbeat = parts.heartbeat();
    }

    @Override
    void start(Duration wait, Topology topology) {
        heartbeat.start();
        super.start(wait, topology);
    }

    @Override
    Routing.Commands commands() {
        return new Routing.Commands() {
            @Override
            public boolean subscribe(List<byte[]> shards) {
                return heartbeat.whileWatched(() -> current.subscribe(shards.toArray(byte[][]::new)));
            }

            @Override
            public boolean unsubscribe(List<byte[]> shards) {
                return heartbeat.whileWatched(() -> current.unsubscribe(shards.toArray(byte[][]::new)));
            }
        };
    }

    @Override
    void subscribeUntilDropped() {
        Jedis jedis = new Jedis(address.hostAndPort(), address.clientConfig(clientName)); // connects
        try {
            connection = jedis;
            if (closed.get()) {
                return; // close() may have looked before we published the connection
            }
            List<byte[]> all = new ArrayList<>();
            all.add(channel);
            all.addAll(routing.connecting());
            jedis.subscribe(
                    new Messages(jedis), all.toArray(byte[][]::new)); // returns or throws when the connection ends
        } finally {
            // Unwatch before the close: Jedis reconnects to send a command on a closed
            // connection, so a PING after it would open a socket nobody owns.
            heartbeat.unwatch();
            current = null;
            connection = null;
            jedis.close();
        }
    }

    @Override
    void endAttempt() {
        heartbeat.close(); // first: a PING after the disconnect below would open the connection again
        disconnect(connection); // the blocked read fails at once and the loop sees closed
    }

    /**
     * The heartbeat's PING on {@code jedis} went unanswered: the connection is dead but may never
     * say so. Health reports the bus down from now, and closing the socket ends the blocked read,
     * so the loop reconnects and the hub backfills. Runs on a heartbeat's thread.
     */
    @SuppressWarnings("ReferenceEquality") // the same connection object, not an equal one
    private void unanswered(Jedis jedis) {
        if (connection != jedis || closed.get()) {
            return; // that connection has ended already
        }
        dropping("no PONG within " + parts.pingTimeout().toMillis() + " ms of a PING");
        disconnect(jedis);
    }

    private static void disconnect(Jedis jedis) {
        if (jedis == null) {
            return;
        }
        try {
            jedis.disconnect();
        } catch (RuntimeException e) {
            // the socket is closed either way
        }
    }

    /** Jedis calls these on the subscriber thread, in the order Redis sent them. */
    private final class Messages extends BinaryJedisPubSub {
        final Jedis jedis;

        Messages(Jedis jedis) {
            this.jedis = jedis;
        }

        @Override
        public void onSubscribe(byte[] subscribedTo, int subscribedChannels) {
            if (Arrays.equals(subscribedTo, channel)) {
                current = this;
                heartbeat.watch(this::ping, () -> unanswered(jedis));
                live();
            } else {
                shardAcknowledged(subscribedTo);
            }
        }

        @Override
        public void onPong(byte[] pattern) {
            heartbeat.ponged();
        }

        @Override
        public void onMessage(byte[] channel, byte[] message) {
            intake.accept(channel, message);
        }
    }
}
