package io.wirehub.bus.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wirehub.app.WireHub;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.Http;
import io.wirehub.testing.Marker;
import io.wirehub.testing.Slow;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.TestRedis;
import io.wirehub.testing.TestRedisCluster;
import io.wirehub.testing.WsClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real failover: the primary carrying a topic's shard channel is killed (SIGKILL) mid-stream,
 * its replica is promoted, and the subscriber on the other instance still gets every event once,
 * in order. Three primaries with one replica each, started by the test.
 */
@Slow
class ClusterFailoverIT {
    @RegisterExtension
    final FreshSchema schema = new FreshSchema();

    private static final Duration WAIT = Duration.ofSeconds(30); // node timeout 2 s, then the election
    private static final int SHARDS = 16;

    @Test
    void aSubscriberLosesNothingWhenThePrimaryOfItsShardIsKilledAndItsReplicaTakesOver() throws Exception {
        try (TestRedisCluster cluster = TestRedisCluster.startOrSkip(1)) {
            String channel = TestRedis.channel();
            Map<String, String> env = new HashMap<>(schema.env());
            env.putAll(Map.of(
                    "WH_BUS_TYPE",
                    "redis-cluster",
                    "WH_BUS_REDIS_NODES",
                    cluster.nodes(),
                    "WH_BUS_REDIS_CHANNEL",
                    channel,
                    "WH_BUS_REDIS_SHARDS",
                    String.valueOf(SHARDS),
                    "WH_BUS_REDIS_ROUTING",
                    "interest"));
            String topic = "failover.flow";
            int total = 120;
            try (WireHub a = TestHubs.start(env);
                    WireHub b = TestHubs.start(env);
                    WsClient onB = WsClient.connect(
                            "ws://127.0.0.1:" + b.port() + "/v1/ws?topic=" + topic + "&lastEventId=0")) {
                String shard = new String(new ShardChannels(channel, SHARDS).channelOf(topic), StandardCharsets.UTF_8);
                Eventually.await("b's shard subscribed", WAIT, () -> primaryCarrying(cluster, shard) > 0);
                int primary = primaryCarrying(cluster, shard);
                for (int i = 1; i <= 30; i++) {
                    Http.publish(TestHubs.base(a), topic, "n" + i);
                }
                cluster.crash(primary);
                // The failover takes seconds: these all go out while the shard has no primary, and
                // each is stored (Http.publish fails the test on anything but 201) whatever the bus does.
                for (int i = 31; i <= total; i++) {
                    Http.publish(TestHubs.base(a), topic, "n" + i);
                }

                assertEquals(
                        LongStream.rangeClosed(1, total).boxed().toList(),
                        onB.take(total, WAIT).stream()
                                .map(m -> m.get("seq").asLong())
                                .toList());
                TwoInstances.awaitBusUp(a, b);
                // The marker: the bus carries events live again, and no duplicate came behind the others.
                Marker.publish(TestHubs.base(a), topic).assertNext(onB, "the next event after the failover");
            }
        }
        RedisBusIT.assertNoSubscriberThread();
    }

    private static int primaryCarrying(TestRedisCluster cluster, String shard) {
        for (int port : cluster.ports()) {
            try {
                if (cluster.shardChannels(port).contains(shard)) {
                    return port;
                }
            } catch (RuntimeException e) {
                // a crashed node
            }
        }
        return -1;
    }
}
