package io.wirehub.metrics;

import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.wirehub.bus.EventBus;
import io.wirehub.hub.Hub;
import io.wirehub.store.EventStore;
import java.io.IOException;
import java.io.OutputStream;

/**
 * One instance's meters, in a registry of its own (tests run several instances in one JVM).
 * Built on the plain Prometheus Java client; see docs/metrics.md for why and for every name.
 */
public final class Metrics {
    private static final PrometheusTextFormatWriter TEXT = PrometheusTextFormatWriter.create();
    /** The content type of {@link #writeText}: the Prometheus text format, version 0.0.4. */
    public static final String TEXT_CONTENT_TYPE = TEXT.getContentType();

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
        HubMeters.counter(
                registry,
                "wirehub_connections_refused_total",
                "Requests and streams refused with 503 at server.max_connections",
                cb -> cb.call(refused.getAsLong()));
    }

    /**
     * Connections closed by the slowloris bound before they held a request (ConnectionWatch).
     *
     * @param timedOut heads not complete within server.header_timeout
     * @param refused closed at accept (address over server.max_waiting_per_address) or evicted
     */
    public void registerWaitingConnectionCloses(
            java.util.function.LongSupplier timedOut, java.util.function.LongSupplier refused) {
        // NOTE: metric name and reasons are public API (dashboards, alerts).
        HubMeters.counter(
                registry,
                "wirehub_connections_closed_waiting_total",
                "Connections closed before they held a request, by reason",
                "reason",
                cb -> {
                    cb.call(timedOut.getAsLong(), "header_timeout");
                    cb.call(refused.getAsLong(), "waiting_limit");
                });
    }

    /** Streams refused with 429 too_many_streams, by the limit that refused them (StreamQuota). */
    public void registerStreamQuotaRefusals(
            java.util.function.LongSupplier bySubject, java.util.function.LongSupplier byAddress) {
        // NOTE: metric name and label values are public API.
        HubMeters.counter(
                registry,
                "wirehub_streams_refused_total",
                "Streams refused with 429 too_many_streams, by limit",
                "limit",
                cb -> {
                    cb.call(bySubject.getAsLong(), "max_streams_per_subject");
                    cb.call(byAddress.getAsLong(), "max_streams_per_address");
                });
    }

    /** {@code wirehub_build_info{version="0.1.0"} 1}: which release each instance runs, for dashboards and rollouts. */
    public void registerBuildInfo(String version) {
        // NOTE: metric name and label are public API (dashboards join on it).
        // An info metric: the text format shows it as a gauge of 1 (the client refuses a gauge named *_info).
        Info.builder()
                .name("wirehub_build_info")
                .help("The wirehub release this instance runs")
                .labelNames("version")
                .register(registry)
                .setLabelValues(version);
    }

    /** Every meter, scraped now, in the Prometheus text format ({@link #TEXT_CONTENT_TYPE}). */
    public void writeText(OutputStream out) throws IOException {
        TEXT.write(out, registry.scrape());
    }
}
