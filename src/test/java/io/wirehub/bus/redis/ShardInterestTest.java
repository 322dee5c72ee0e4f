package io.wirehub.bus.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wirehub.testing.Eventually;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which shard channels an instance subscribes to, and when, with a clock the test moves. */
class ShardInterestTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final ShardChannels channels = new ShardChannels("p", 64);
    private final AtomicLong now = new AtomicLong();
    private final ShardInterest interest = new ShardInterest(channels, Duration.ofSeconds(30), now::get);
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final List<String> topics = InterestRoutingIT.topicsInDistinctShards(3);

    @AfterEach
    void close() {
        interest.close();
    }

    @Test
    void aShardIsSubscribedForItsFirstTopicAndUnsubscribedOnlyAfterTheLingerPastItsLast() {
        start(true);
        String x = topics.get(0);
        String y = topics.get(1);
        interest.follow(x);
        awaitSent("+" + shard(x));
        interest.unfollow(x);
        interest.follow(x); // back within the linger: nothing to do
        interest.unfollow(x);
        now.addAndGet(Duration.ofSeconds(29).toNanos());
        interest.follow(y); // wakes the worker: x's shard still lingers
        awaitSent("+" + shard(x), "+" + shard(y));

        now.addAndGet(Duration.ofSeconds(2).toNanos());
        interest.unfollow(y); // wakes it again: x's linger is over, y's begins
        awaitSent("+" + shard(x), "+" + shard(y), "-" + shard(x));
        assertEquals(1, interest.subscribedShards());
    }

    @Test
    void aFreshConnectionCarriesEveryWantedShardAndAnAcknowledgementNamesTheShardsTopics() {
        interest.follow(topics.get(0));
        interest.follow(topics.get(1));
        List<String> carried = interest.connecting().stream()
                .map(name -> new String(name, StandardCharsets.UTF_8))
                .sorted()
                .toList();
        assertEquals(
                List.of(name(topics.get(0)), name(topics.get(1))).stream()
                        .sorted()
                        .toList(),
                carried);

        assertEquals(List.of(topics.get(0)), interest.acknowledged(channels.channelOf(topics.get(0))));
        assertEquals(List.of(), interest.acknowledged(channels.channelOf(topics.get(2))), "a shard nobody follows");
        assertEquals(List.of(), interest.acknowledged(channels.anchor()));
    }

    @Test
    void commandsThatFindNoConnectionAreLeftToTheNextConnection() {
        start(false); // every command fails: the connection is going
        interest.follow(topics.get(0));
        Eventually.await("the failed attempt", WAIT, () -> sent.contains("failed"));
        List<byte[]> carried = interest.connecting();
        assertEquals(
                List.of(name(topics.get(0))),
                carried.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList());
    }

    private void start(boolean connected) {
        interest.start(new Routing.Commands() {
            @Override
            public boolean subscribe(List<byte[]> shards) {
                return record("+", shards, connected);
            }

            @Override
            public boolean unsubscribe(List<byte[]> shards) {
                return record("-", shards, connected);
            }
        });
        interest.connecting();
        interest.ready();
    }

    private boolean record(String sign, List<byte[]> shards, boolean connected) {
        if (!connected) {
            sent.add("failed");
            return false;
        }
        shards.forEach(shard -> sent.add(sign + channels.shardOfChannel(shard)));
        return true;
    }

    private void awaitSent(String... expected) {
        Eventually.await("sent " + List.of(expected), WAIT, () -> sent.equals(List.of(expected)));
    }

    private int shard(String topic) {
        return channels.shardOf(topic);
    }

    private String name(String topic) {
        return "p:events:" + shard(topic);
    }
}
