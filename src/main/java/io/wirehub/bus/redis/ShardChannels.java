package io.wirehub.bus.redis;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * The channel names of a deployment: {@code <bus.redis.channel>:events} (one channel for
 * everything) and the shard channels {@code <bus.redis.channel>:events:<n>}, n in [0, shards),
 * onto which topics are hashed for interest routing and Redis Cluster.
 *
 * <p>Why a bounded number of shards rather than a channel per topic: an instance's subscriptions
 * stay a short list whatever the number of topics (Redis keeps one entry per channel and
 * subscriber), a topic's first subscriber usually finds its shard subscribed already (no
 * SUBSCRIBE, no backfill), and a cluster spreads 64 channels over its nodes as well as a million.
 * The price: an instance also receives the other topics of its shards.
 */
final class ShardChannels {
    private final byte[] anchor;
    private final byte[][] shards;
    private final String prefix;

    ShardChannels(String channelPrefix, int shards) {
        this.prefix = channelPrefix + ":events";
        this.anchor = prefix.getBytes(StandardCharsets.UTF_8);
        this.shards = new byte[shards][];
        for (int i = 0; i < shards; i++) {
            this.shards[i] = (prefix + ":" + i).getBytes(StandardCharsets.UTF_8);
        }
    }

    /** {@code <prefix>:events}: the one channel of channel routing. */
    byte[] anchor() {
        return anchor;
    }

    String anchorName() {
        return prefix;
    }

    int count() {
        return shards.length;
    }

    // NOTE: every instance of a deployment must hash alike, across versions: CRC-32 of the UTF-8 name.
    int shardOf(String topic) {
        CRC32 crc = new CRC32();
        crc.update(topic.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % shards.length);
    }

    byte[] channelOf(String topic) {
        return shards[shardOf(topic)];
    }

    byte[] channel(int shard) {
        return shards[shard];
    }

    /** The shard a channel name stands for, or -1 (the anchor, or a name not ours). */
    int shardOfChannel(byte[] channel) {
        String name = new String(channel, StandardCharsets.UTF_8);
        if (!name.startsWith(prefix + ":")) {
            return -1;
        }
        try {
            int shard = Integer.parseInt(name.substring(prefix.length() + 1));
            return shard >= 0 && shard < shards.length ? shard : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
