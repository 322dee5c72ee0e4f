package io.wirehub.store.postgres;

import io.wirehub.config.Settings;
import io.wirehub.config.SettingsLoader;
import io.wirehub.event.NewEvent;
import io.wirehub.schedule.Scheduler;
import io.wirehub.testing.FreshSchema;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/** Opens PostgresEventStores for tests, configured through the same WH_* variables as production. */
final class TestStores {
    static {
        // Every store a test opens logs the stack of whoever holds a connection past 2s.
        System.setProperty(ConnectionPool.LEAK_DETECTION_PROPERTY, "true");
    }

    // The tests' stores share one scheduler, as an instance's parts do; a daemon thread for the JVM's life.
    static final Scheduler SCHEDULER = new Scheduler();

    private TestStores() {}

    /** A store on the schema with the production defaults (7d, 100000 per topic) and sweeps every 5s. */
    static PostgresEventStore open(FreshSchema schema) {
        return open(schema, Map.of(), InstantSource.system(), PostgresEventStore.SWEEP_PERIOD);
    }

    /**
     * @param env extra WH_* variables (e.g. WH_STORE_RETENTION, WH_STORE_POSTGRES_URL)
     */
    static PostgresEventStore open(
            FreshSchema schema, Map<String, String> env, InstantSource clock, Duration sweepPeriod) {
        return new PostgresEventStore(settings(schema, env), SCHEDULER, clock, sweepPeriod, UnaryOperator.identity());
    }

    static Settings.Store settings(FreshSchema schema, Map<String, String> env) {
        Map<String, String> all = new HashMap<>(schema.env());
        all.putAll(env);
        return SettingsLoader.load(null, all).store();
    }

    /** {@code count} text events for the topic: "e1", "e2", ... */
    static List<NewEvent> events(String topic, int count) {
        return IntStream.rangeClosed(1, count)
                .mapToObj(i -> new NewEvent(topic, null, "e" + i, false))
                .toList();
    }
}
