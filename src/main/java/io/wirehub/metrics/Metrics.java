package io.wirehub.metrics;

import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.wirehub.bus.EventBus;
import io.wirehub.hub.Hub;
import io.wirehub.store.EventStore;

/**
 * One instance's meters, in a registry of its own (tests run several instances in one JVM).
 * Built on the plain Prometheus Java client; see docs/metrics.md for why and for every name.
 */
public final class Metrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();

    public Metrics() {
        JvmMetrics.builder().register(registry); // heap, GC, threads, classes, CPU: the client's standard meters
    }

    /** The store, timed: give this one to the hub and the publishers. */
    public EventStore metered(EventStore store) {
        ResourceMeters.registerStore(registry, store);
        return new MeteredStore(store, registry);
    }

    public void register(Hub hub, EventBus bus) {
        HubMeters.register(registry, hub);
        ResourceMeters.registerBus(registry, bus);
    }

    PrometheusRegistry registry() {
        return registry;
    }
}
