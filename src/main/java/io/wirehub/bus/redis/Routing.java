package io.wirehub.bus.redis;

import io.wirehub.bus.TopicInterest;
import java.util.ArrayList;
import java.util.List;

/**
 * Which channels carry which topic, and so what a subscription connection must carry. Three
 * shapes: {@link OneChannel} (one Redis: every event on {@code <channel>:events}),
 * {@link AllShards} (a cluster: each topic on its shard channel, every shard subscribed), and
 * {@link ShardInterest} (either: each topic on its shard channel, only the shards of the topics
 * followed here subscribed).
 *
 * <p>Threads: {@link #connecting}, {@link #ready} and {@link #acknowledged} are called by the
 * subscriber thread(s), {@link #channelOf} by publishing threads.
 */
sealed interface Routing extends AutoCloseable permits Routing.OneChannel, Routing.AllShards, ShardInterest {

    /** Sends commands on the current subscription connection(s); false when there is none now. */
    interface Commands {
        boolean subscribe(List<byte[]> channels);

        boolean unsubscribe(List<byte[]> channels);
    }

    /** The channel a topic's events are published on. */
    byte[] channelOf(String topic);

    /** A fresh connection (or cluster round) is about to subscribe: the channels it must carry besides its anchor. */
    List<byte[]> connecting();

    /** The connection is subscribed and takes commands. */
    default void ready() {}

    /**
     * Redis acknowledged a subscription to {@code channel}: the topics whose events may have been
     * lost before it, to be re-read from the store. Empty when a reconnect re-reads every topic.
     */
    default List<String> acknowledged(byte[] channel) {
        return List.of();
    }

    /**
     * Whether each shard's acknowledgement re-reads its own topics ({@link #acknowledged}); if
     * not, the hub re-reads every active topic after a reconnect.
     */
    default boolean backfillsPerShard() {
        return false;
    }

    /** Where the hub reports the topics it follows. */
    default TopicInterest interest() {
        return TopicInterest.NONE;
    }

    /** Shard channels subscribed now, when the subscription is up ({@code subscribed}). */
    int subscribedShards(boolean subscribed);

    /** For the start-up log line, after the topology's address. */
    String describe();

    /** Starts whatever keeps the subscription matching, sending through {@code commands}. */
    default void start(Commands commands) {}

    @Override
    default void close() {}

    /** One Redis, one channel: every instance receives every event. */
    record OneChannel(ShardChannels channels) implements Routing {
        @Override
        public byte[] channelOf(String topic) {
            return channels.anchor();
        }

        @Override
        public List<byte[]> connecting() {
            return List.of(); // the anchor is the one channel
        }

        @Override
        public int subscribedShards(boolean subscribed) {
            return 0;
        }

        @Override
        public String describe() {
            return ", channel " + channels.anchorName();
        }
    }

    /** A cluster without interest routing: every shard channel, each on the node owning its slot. */
    record AllShards(ShardChannels channels) implements Routing {
        @Override
        public byte[] channelOf(String topic) {
            return channels.channelOf(topic);
        }

        @Override
        public List<byte[]> connecting() {
            List<byte[]> all = new ArrayList<>();
            for (int shard = 0; shard < channels.count(); shard++) {
                all.add(channels.channel(shard));
            }
            return all;
        }

        @Override
        public int subscribedShards(boolean subscribed) {
            return subscribed ? channels.count() : 0;
        }

        @Override
        public String describe() {
            return ", " + channels.count() + " shard channels " + channels.anchorName() + ":<n>";
        }
    }
}
