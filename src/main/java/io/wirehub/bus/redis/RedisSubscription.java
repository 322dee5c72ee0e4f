package io.wirehub.bus.redis;

import io.wirehub.bus.BusListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Jedis;

/**
 * The instance's one subscriber connection and the thread that reads it, {@code redis-subscriber}.
 *
 * <p>The thread loops: connect, SUBSCRIBE to the channel (and, with interest routing, to the
 * shard channels {@link ShardInterest} wants), hand every message of other instances
 * to the hub until the connection drops, wait ({@link Backoff}: 100 ms doubling to 5 s,
 * jittered), again. After every subscribe but the first it calls
 * {@link BusListener#reconnected()}: messages sent while it was away are gone (pub/sub keeps
 * nothing), so the hub backfills every active topic from the store. That call comes after the
 * subscription is up, so an event is either in the store read or arrives on the channel. With
 * interest routing the same holds per shard: each shard's acknowledgement, on a fresh connection
 * or when it is added later, has the hub re-read that shard's topics
 * ({@link BusListener#resubscribed}); the one channel stays subscribed all along so that the
 * connection never runs out of subscriptions and the PING always has one to ride on.
 *
 * <p>A connection that goes silent without an error (a partition that sent no FIN or RST) is
 * found by the {@link SubscriptionHeartbeat}: a PING unanswered within the timeout marks the
 * subscription down and closes its socket, and the loop above reconnects and backfills.
 *
 * <p>Nothing a message contains, and nothing the hub throws, ends the thread; only
 * {@link #close()} does, by closing the socket it blocks on. Cost: two platform threads (a
 * long-lived thread blocked on one socket is what platform threads are for, and a thread dump
 * shows them by name, {@code redis-subscriber} and {@code redis-ping}) and one connection per
 * instance, whatever the number of topics.
 */
final class RedisSubscription extends BusSubscription {
    private static final System.Logger LOG = System.getLogger(RedisSubscription.class.getName());
    // close() waits this long for the thread: longer than one connect timeout, which a platform
    // thread cannot be interrupted out of.
    private static final Duration JOIN_WAIT = Duration.ofSeconds(5);

    private final RedisAddress address;
    private final String clientName;
    private final byte[] channel;
    private final ShardInterest interest; // null: channel routing
    private final BusListener listener;
    private final Runnable redisAnswered;
    private final Thread thread;
    private final SubscriptionHeartbeat heartbeat;
    private final Duration pingTimeout;
    private volatile Jedis connection;
    private volatile Messages current; // the subscribed connection's, for commands from other threads
    private volatile String droppedBecause; // why we closed the connection ourselves, for the log
    private int failedAttempts; // subscriber thread only

    /**
     * @param interest the shard channels to subscribe to besides the one channel; null for none
     * @param origin this instance: its own messages come back on the channel and are skipped
     * @param redisAnswered run on the subscriber thread after each subscribe and message (the bus
     *     re-sends its backlog then); must not throw
     * @param pingInterval how often the connection is PINGed
     * @param pingTimeout a PING unanswered this long drops the connection
     */
    RedisSubscription(RedisAddress address, String clientName, ShardChannels channels, ShardInterest interest, UUID origin,
            BusListener listener, Runnable redisAnswered, Duration pingInterval, Duration pingTimeout) {
        super(new MessageIntake(origin, listener, redisAnswered));
        this.address = address;
        this.clientName = clientName;
        this.channel = channels.anchor();
        this.interest = interest;
        this.listener = listener;
        this.redisAnswered = redisAnswered;
        this.thread = Thread.ofPlatform().name("redis-subscriber").daemon(true).unstarted(this::run);
        this.heartbeat = new SubscriptionHeartbeat(pingInterval, pingTimeout);
        this.pingTimeout = pingTimeout;
    }

    @Override
    void start(Duration wait) {
        thread.start();
        heartbeat.start();
        awaitFirstSubscribe(wait, address::unreachable, "cannot subscribe to Redis at " + address.shown());
    }

    /** SUBSCRIBE and UNSUBSCRIBE of shard channels on the live connection, for {@link ShardInterest}. */
    ShardInterest.Commands commands() {
        return new ShardInterest.Commands() {
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






    private void run() {
        while (!closed.get()) {
            try {
                subscribeUntilDropped();
            } catch (RuntimeException e) { // connect, AUTH or the connection failed: try again later
                failed(e);
                lost(e);
            }
            if (!closed.get()) {
                pauseBeforeRetry();
            }
        }
    }

    private void subscribeUntilDropped() {
        Jedis jedis = new Jedis(address.hostAndPort(), address.clientConfig(clientName)); // connects
        try {
            connection = jedis;
            if (closed.get()) {
                return; // close() may have looked before we published the connection
            }
            List<byte[]> all = new ArrayList<>();
            all.add(channel);
            if (interest != null) {
                all.addAll(interest.connecting());
            }
            jedis.subscribe(new Messages(jedis), all.toArray(byte[][]::new)); // returns or throws when the connection ends
        } finally {
            // Unwatch before the close: Jedis reconnects to send a command on a closed
            // connection, so a PING after it would open a socket nobody owns.
            heartbeat.unwatch();
            current = null;
            subscribed = false;
            connection = null;
            jedis.close();
        }
    }

    private void lost(RuntimeException e) {
        if (closed.get()) {
            return;
        }
        String why = droppedBecause != null ? droppedBecause : RedisAddress.reason(e);
        droppedBecause = null;
        if (failedAttempts++ == 0 && firstSubscribe.getCount() == 0) {
            LOG.log(System.Logger.Level.WARNING, "lost the Redis subscription at " + address.shown() + ": "
                    + why + "; reconnecting, events missed meanwhile are backfilled from the store");
        }
    }

    /**
     * The heartbeat's PING on {@code jedis} went unanswered: the connection is dead but may never
     * say so. Health reports the bus down from now, and closing the socket ends the blocked read,
     * so the loop reconnects and the hub backfills. Runs on the heartbeat's thread.
     */
    @SuppressWarnings("ReferenceEquality") // the same connection object, not an equal one
    private void unanswered(Jedis jedis) {
        if (connection != jedis || closed.get()) {
            return; // that connection has ended already
        }
        subscribed = false;
        droppedBecause = "no PONG within " + pingTimeout.toMillis() + " ms of a PING";
        try {
            jedis.disconnect();
        } catch (RuntimeException e) {
            // the socket is closed either way
        }
    }


    private void onSubscribed(Messages messages) {
        current = messages;
        heartbeat.watch(messages::ping, () -> unanswered(messages.jedis));
        failedAttempts = 0;
        live(interest, listener, "Redis at " + address.shown());
        redisAnswered.run();
    }

    /** A shard's subscription is live from now: its topics may have lost events before. */
    private void shardSubscribed(byte[] shard) {
        List<String> topics = interest.acknowledged(shard);
        if (topics.isEmpty()) {
            return;
        }
        try {
            listener.resubscribed(topics);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "backfill after subscribing to " + new String(shard, StandardCharsets.UTF_8) + " failed", e);
        }
    }

    /** Stops the thread and closes its connection; idempotent; returns once the thread is gone (or after 5 s). */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        heartbeat.close(); // first: a PING after the disconnect below would open the connection again
        Jedis jedis = connection;
        if (jedis != null) {
            try {
                jedis.disconnect(); // the blocked read fails at once and the loop sees closed
            } catch (RuntimeException e) {
                // closing anyway
            }
        }
        thread.interrupt(); // wakes a backoff pause
        if (Thread.currentThread() == thread || thread.getState() == Thread.State.NEW) {
            return;
        }
        try {
            if (!thread.join(JOIN_WAIT)) {
                LOG.log(System.Logger.Level.WARNING, "redis-subscriber did not stop within " + JOIN_WAIT.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
                onSubscribed(this);
            } else if (interest != null) {
                shardSubscribed(subscribedTo);
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
