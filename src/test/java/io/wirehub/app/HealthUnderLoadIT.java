package io.wirehub.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.Http;
import io.wirehub.testing.Load;
import io.wirehub.testing.TcpProxy;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.TestPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /health} is unauthenticated: however often it is called, it must not cost a publish its
 * connection. PostgreSQL sits a few milliseconds away, as across a network, so a connection held
 * by a health check is held long enough to matter.
 */
@Load
class HealthUnderLoadIT {
    private static final int CALLERS = 200;
    private static final Duration FLOOD = Duration.ofSeconds(2);

    @RegisterExtension
    final FreshSchema schema = new FreshSchema();

    @Test
    void aFloodOfHealthChecksNeverTakesTheConnectionPublishesNeed() throws Exception {
        Map<String, String> env = new HashMap<>(schema.env());
        env.put("WH_STORE_POSTGRES_POOL_SIZE", "2"); // one connection for reads, one for the writer
        // 20 ms each way: a health check holds a connection for tens of milliseconds, as it would
        // with PostgreSQL across a network, so 200 callers at once queue for seconds.
        try (TcpProxy network = new TcpProxy("127.0.0.1", TestPostgres.port(), Duration.ofMillis(20))) {
            env.put("WH_STORE_POSTGRES_URL", TestPostgres.urlOnPort(network.port()));
            try (WireHub hub = TestHubs.start(env)) {
                flood(hub);
            }
        }
    }

    private static void flood(WireHub hub) throws InterruptedException {
        String base = TestHubs.base(hub);
        Map<String, Integer> refused = new ConcurrentHashMap<>();
        AtomicInteger published = new AtomicInteger();
        AtomicBoolean flooding = new AtomicBoolean(true);
        Thread publisher = Thread.ofVirtual().name("test-publisher").start(() -> {
            while (flooding.get()) {
                Http.Response response = Http.post(base + "/v1/topics/health.flood/events", "x");
                if (response.status() == 201) {
                    published.incrementAndGet();
                } else {
                    refused.merge(response.status() + " " + response.body(), 1, Integer::sum);
                }
            }
        });
        Map<Integer, Integer> healthAnswers = new ConcurrentHashMap<>();
        long end = System.nanoTime() + FLOOD.toNanos();
        List<Thread> callers = new ArrayList<>(CALLERS);
        for (int i = 0; i < CALLERS; i++) {
            callers.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < end) {
                    healthAnswers.merge(Http.get(base + "/health").status(), 1, Integer::sum);
                }
            }));
        }
        for (Thread caller : callers) {
            caller.join();
        }
        flooding.set(false);
        publisher.join();

        assertEquals(Map.of(), refused, "every publish during the flood got its 201");
        assertTrue(published.get() > 0, "publishes went on during the flood");
        assertEquals(Set.of(200), healthAnswers.keySet(), "health said UP throughout: " + healthAnswers);
    }
}
