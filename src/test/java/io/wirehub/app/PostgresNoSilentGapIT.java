package io.wirehub.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wirehub.hub.CloseReason;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.Http;
import io.wirehub.testing.Ids;
import io.wirehub.testing.SseClient;
import io.wirehub.testing.SseClient.SseEvent;
import io.wirehub.testing.TcpProxy;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.TestPostgres;
import io.wirehub.testing.WsClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The no-silent-gap promise where PostgreSQL fails or holds less than a stream expects. */
class PostgresNoSilentGapIT {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @RegisterExtension
    static final FreshSchema schema = new FreshSchema();

    @Test
    void aReplayPageWithAHoleInTheMiddleGivesAResetNotASilentJump() throws Exception {
        try (WireHub hub = TestHubs.start(schema.env())) {
            String base = TestHubs.base(hub);
            for (int i = 1; i <= 7; i++) {
                Http.publish(base, "holes", "h" + i);
            }
            // What retention does when writers' clocks differ: a row in the middle is gone.
            TestPostgres.query("DELETE FROM \"" + schema.name() + "\".events WHERE topic = 'holes' AND seq = 5");

            try (SseClient stream = SseClient.connect(base + "/v1/sse?topic=holes", "3")) {
                List<SseEvent> got = stream.take(2, WAIT);
                assertEquals(4, Ids.seq(got.get(0).id()), "the stored event before the hole");
                assertEquals("reset", got.get(1).event(), "then a reset, not 6: " + got);
                assertEquals(7, Http.JSON.readTree(got.get(1).data()).get("seq").asLong());
                Http.publish(base, "holes", "h8");
                assertEquals(8, Ids.seq(stream.take(1, WAIT).getFirst().id()));
            }
        }
    }

    @Test
    void aWebSocketSubscribeThatCannotReadTheStoreLeavesNothingInTheHub() throws Exception {
        try (TcpProxy network = new TcpProxy("127.0.0.1", TestPostgres.port())) {
            Map<String, String> env = new HashMap<>(schema.env());
            env.put("WH_STORE_POSTGRES_URL", TestPostgres.urlOnPort(network.port()));
            try (WireHub hub = TestHubs.start(env);
                    WsClient client = WsClient.connect("ws://127.0.0.1:" + hub.port() + "/v1/ws?topic=join.first")) {
                network.cut();
                client.send("{\"op\":\"subscribe\",\"topic\":\"join.second\"}");

                assertEquals(1013, client.closeCode(WAIT), "closed: try again later");
                assertEquals(1, hub.hub().stats().closes(CloseReason.STORE_UNAVAILABLE));
                Eventually.await(
                        "no subscriber and no topic entry left",
                        WAIT,
                        () -> hub.hub().subscribers().isEmpty() && hub.hub().activeTopics() == 0);

                network.restore();
                Eventually.await(
                        "the store answers again",
                        WAIT,
                        () -> Http.get(TestHubs.base(hub) + "/health").status() == 200);
                Http.publish(TestHubs.base(hub), "join.second", "nobody listens");
                assertEquals(0, hub.hub().stats().overflows(), "no dead subscriber fills up on later events");
            }
        }
    }
}
