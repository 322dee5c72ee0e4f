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

    /**
     * Requests and streams refused at {@code server.max_connections}.
     *
     * @param refused a running count (the connection limit's)
     */
    public void registerConnectionRefusals(java.util.function.LongSupplier refused) {
        HubMeters.counter(registry, "wirehub_connections_refused_total",
                "Requests and streams refused with 503 at server.max_connections", cb -> cb.call(refused.getAsLong()));
    }

    PrometheusRegistry registry() {
        return registry;
    }
}
