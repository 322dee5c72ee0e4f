package io.wirehub.store.postgres;

import static io.wirehub.store.postgres.TestStores.events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.event.Event;
import io.wirehub.store.StoreUnavailableException;
import io.wirehub.testing.FreshSchema;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An Error inside the group-commit writer, on a real PostgreSQL: the writer outlives what it can, and says when it cannot. */
class PostgresWriterErrorIT {
    @RegisterExtension
    final FreshSchema schema = new FreshSchema();

    private PostgresEventStore open(AtomicReference<FailingDataSource> fake) {
        return new PostgresEventStore(
                TestStores.settings(schema, Map.of()),
                TestStores.SCHEDULER,
                java.time.InstantSource.system(),
                PostgresEventStore.SWEEP_PERIOD,
                pool -> {
                    fake.set(new FailingDataSource(pool));
                    return fake.get();
                });
    }

    @Test
    void anOutOfMemoryErrorFailsItsGroupWith503AndTheWriterGoesOn() {
        AtomicReference<FailingDataSource> fake = new AtomicReference<>();
        try (PostgresEventStore store = open(fake)) {
            fake.get().failNext(new OutOfMemoryError("a huge batch (test)"));

            assertThrows(StoreUnavailableException.class, () -> store.append(events("oom.t", 3)));

            assertEquals(
                    1L,
                    store.append(events("oom.t", 1)).getFirst().seq(),
                    "the next publish is stored, nothing of the failed one");
            assertEquals(
                    java.util.List.of("e1"),
                    store.readAfter("oom.t", 0, 10).stream().map(Event::data).toList());
            assertTrue(store.isHealthy());
        }
    }

    @Test
    void anErrorOfTheVmStopsTheWriterAndTheStoreReportsItselfDown() {
        AtomicReference<FailingDataSource> fake = new AtomicReference<>();
        try (PostgresEventStore store = open(fake)) {
            assertTrue(store.isHealthy());
            fake.get().failNext(new InternalError("the VM is in doubt (test)"));

            assertThrows(StoreUnavailableException.class, () -> store.append(events("vm.t", 1)));

            assertThrows(StoreUnavailableException.class, () -> store.append(events("vm.t", 1)));
            assertFalse(store.isHealthy(), "readiness must send publishes elsewhere");
        }
    }
}
