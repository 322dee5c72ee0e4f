package io.wirehub.metrics;

import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.store.Backlog;
import io.wirehub.store.EventStore;
import io.wirehub.store.IdempotencyKeys;
import io.wirehub.store.Snapshot;
import io.wirehub.store.StoreUnavailableException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The event store as the hub and the publishers see it, timed: every call is measured here, so
 * each store (memory, PostgreSQL) gets the same meters without knowing of them. An append's
 * time includes its wait for the group commit: it is the latency a publish pays.
 */
final class MeteredStore implements EventStore {
    // Seconds: 50 µs (memory) to 10 s (a PostgreSQL under trouble; the pool gives up after 2 s).
    private static final double[] SECONDS = {
        0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
    };
    private static final double[] BATCH = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};

    private final EventStore store;
    private final DistributionDataPoint readAfter;
    private final DistributionDataPoint readAfterMany;
    private final DistributionDataPoint readBacklogs;
    private final DistributionDataPoint readLatest;
    private final DistributionDataPoint readSnapshot;
    private final Counter readEvents;
    private final Histogram appendSeconds;
    private final Histogram appendEvents;
    private final Counter failures;

    MeteredStore(EventStore store, PrometheusRegistry registry) {
        this.store = store;
        Histogram reads = Histogram.builder()
                .name("wirehub_store_read_seconds")
                .unit(Unit.SECONDS)
                .help(
                        "Store reads by query: after (one topic's range), backlog (a replay's sizes), after_many (a replay's reads, in parallel), latest, snapshot")
                .labelNames("query")
                .classicOnly()
                .classicUpperBounds(SECONDS)
                .withoutExemplars()
                .register(registry);
        this.readAfter = reads.labelValues("after");
        this.readAfterMany = reads.labelValues("after_many");
        this.readBacklogs = reads.labelValues("backlog");
        this.readLatest = reads.labelValues("latest");
        this.readSnapshot = reads.labelValues("snapshot");
        this.readEvents = Counter.builder()
                .name("wirehub_store_read_events_total")
                .help("Events returned by store reads")
                .withoutExemplars()
                .register(registry);
        this.appendSeconds = Histogram.builder()
                .name("wirehub_store_append_seconds")
                .unit(Unit.SECONDS)
                .help("Store appends (a publish request's batch), including the wait for the group commit")
                .classicOnly()
                .classicUpperBounds(SECONDS)
                .withoutExemplars()
                .register(registry);
        this.appendEvents = Histogram.builder()
                .name("wirehub_store_append_events")
                .help("Events per store append (per publish request)")
                .classicOnly()
                .classicUpperBounds(BATCH)
                .withoutExemplars()
                .register(registry);
        this.failures = Counter.builder()
                .name("wirehub_store_failures_total")
                .help("Store calls that failed: the store could not be reached")
                .labelNames("operation")
                .withoutExemplars()
                .register(registry);
        // At 0 from the start: a series born at its first failure hides that failure from rate()
        // and increase(), so the alert on it (config/prometheus-alerts.yml) would miss it.
        failures.initLabelValues("append");
        failures.initLabelValues("read");
    }

    @Override
    public List<Event> append(List<NewEvent> events) {
        List<Event> stored = timed("append", appendSeconds, () -> store.append(events));
        appendEvents.observe(stored.size());
        return stored;
    }

    @Override
    public List<Event> append(List<NewEvent> events, List<IdempotencyKeys.Completion> completions) {
        List<Event> stored = timed("append", appendSeconds, () -> store.append(events, completions));
        appendEvents.observe(stored.size());
        return stored;
    }

    @Override
    public List<Event> readAfter(String topic, long afterSeq, int limit) {
        List<Event> events = timed("read", readAfter, () -> store.readAfter(topic, afterSeq, limit));
        readEvents.inc(events.size());
        return events;
    }

    @Override
    public Map<String, Backlog> backlogs(Map<String, Long> cursors, int limit) {
        return timed("read", readBacklogs, () -> store.backlogs(cursors, limit));
    }

    @Override
    public Map<String, List<Event>> read(Map<String, Backlog> backlogs) {
        Map<String, List<Event>> events = timed("read", readAfterMany, () -> store.read(backlogs));
        events.values().forEach(list -> readEvents.inc(list.size()));
        return events;
    }

    @Override
    public long latestSeq(String topic) {
        return timed("read", readLatest, () -> store.latestSeq(topic));
    }

    @Override
    public Snapshot snapshot(String topic, int limit, long maxBytes) {
        Snapshot snapshot = timed("read", readSnapshot, () -> store.snapshot(topic, limit, maxBytes));
        readEvents.inc(snapshot.events().size());
        return snapshot;
    }

    @Override
    public String epoch() {
        return store.epoch();
    }

    @Override
    public boolean isHealthy() {
        return store.isHealthy();
    }

    @Override
    public void closeWrites() {
        store.closeWrites();
    }

    @Override
    public void close() {
        store.close();
    }

    private <T> T timed(String operation, DistributionDataPoint timer, Supplier<T> call) {
        long start = System.nanoTime();
        try {
            return call.get();
        } catch (StoreUnavailableException e) {
            failures.labelValues(operation).inc();
            throw e;
        } finally {
            timer.observe((System.nanoTime() - start) / 1e9);
        }
    }
}
