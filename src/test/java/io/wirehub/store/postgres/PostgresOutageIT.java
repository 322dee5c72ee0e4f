package io.wirehub.store.postgres;

import static io.wirehub.store.postgres.TestStores.events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.store.StoreUnavailableException;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.Slow;
import io.wirehub.testing.TcpProxy;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.TestPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PostgreSQL going away: start-up fails with one clear line; a running store fails fast with
 * {@link StoreUnavailableException}, loses no acknowledged event, and recovers by itself.
 */
@Slow
class PostgresOutageIT {
    @RegisterExtension
    static final FreshSchema schema = new FreshSchema();

    @Test
    void startingAgainstAClosedPortFailsWithOneLineNamingTheSetting() throws IOException {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        Map<String, String> env = new HashMap<>(schema.env());
        env.put("WH_STORE_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:" + closedPort + "/test?password=inurl");
        env.put("WH_STORE_POSTGRES_PASSWORD", "hunter2");

        StoreUnavailableException e = assertThrows(StoreUnavailableException.class, () -> TestHubs.start(env));

        assertEquals(
                "cannot reach PostgreSQL at jdbc:postgresql://127.0.0.1:" + closedPort + "/test?... "
                        + "(store.postgres.url / WH_STORE_POSTGRES_URL): connection refused",
                e.getMessage());
    }

    @Test
    void aStoreCutOffFromPostgresFailsFastAndRecoversByItself() {
        try (TcpProxy network = new TcpProxy("127.0.0.1", TestPostgres.port());
                PostgresEventStore store = TestStores.open(
                        schema,
                        Map.of("WH_STORE_POSTGRES_URL", TestPostgres.urlOnPort(network.port())),
                        InstantSource.system(),
                        PostgresEventStore.SWEEP_PERIOD)) {
            assertEquals(1, store.append(events("cut", 1)).getFirst().seq());

            network.cut();
            long started = System.nanoTime();
            assertThrows(StoreUnavailableException.class, () -> store.append(events("cut", 1)));
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "a publish fails fast, it took " + took);
            assertThrows(StoreUnavailableException.class, () -> store.readAfter("cut", 0, 10));
            assertFalse(store.isHealthy());

            network.restore();
            Eventually.await("the store healthy again", Duration.ofSeconds(10), store::isHealthy);
            assertEquals(2, store.append(events("cut", 1)).getFirst().seq(), "the failed publish took no seq");
            assertEquals(
                    List.of(1L, 2L),
                    store.readAfter("cut", 0, 10).stream().map(Event::seq).toList());
            assertEquals(0, store.activeConnections());
        }
    }

    @Test
    void publishesWhileBackendsAreTerminatedLoseNoAcknowledgedEvent() throws Exception {
        Map<Long, String> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger refused = new AtomicInteger();
        AtomicLong terminated = new AtomicLong();
        Semaphore progress = new Semaphore(0);
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        try (PostgresEventStore store = TestStores.open(schema)) {
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int p = 0; p < 4; p++) {
                    String name = "p" + p;
                    threads.submit(() -> {
                        for (int n = 0; System.nanoTime() < deadline; n++) {
                            try {
                                for (Event event :
                                        store.append(List.of(new NewEvent("kill", null, name + "-" + n, false)))) {
                                    acknowledged.put(event.seq(), event.data());
                                }
                                progress.release();
                            } catch (StoreUnavailableException e) {
                                refused.incrementAndGet();
                            }
                        }
                        return null;
                    });
                }
                threads.submit(() -> {
                    // Kill the store's backends after every 40 acknowledged publishes: paced by progress, not time.
                    while (System.nanoTime() < deadline) {
                        if (progress.tryAcquire(40, 100, TimeUnit.MILLISECONDS)) {
                            terminated.addAndGet(TestPostgres.terminateBackends(schema.name()));
                        }
                    }
                    return null;
                });
            }
            Eventually.await("the store healthy again", Duration.ofSeconds(10), store::isHealthy);

            assertTrue(terminated.get() > 0, "backends were terminated");
            assertTrue(acknowledged.size() > 40, "publishes went through: " + acknowledged.size());
            List<Event> stored = new ArrayList<>();
            long after = 0;
            for (List<Event> page;
                    !(page = store.readAfter("kill", after, 1000)).isEmpty();
                    after = page.getLast().seq()) {
                stored.addAll(page);
            }
            for (int i = 0; i < stored.size(); i++) {
                assertEquals(i + 1, stored.get(i).seq(), "gapless even across failed commits");
            }
            Map<Long, String> storedData = new HashMap<>();
            stored.forEach(event -> storedData.put(event.seq(), event.data()));
            acknowledged.forEach(
                    (seq, data) -> assertEquals(data, storedData.get(seq), "acknowledged event " + seq + " is stored"));
            System.err.println("terminated " + terminated + " backends; " + acknowledged.size() + " acknowledged, "
                    + refused + " refused with StoreUnavailableException");
        }
    }
}
