package io.wirehub.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.wirehub.event.ResetReason;
import io.wirehub.hub.CloseReason;
import io.wirehub.hub.Hub;
import io.wirehub.hub.HubStats;
import io.wirehub.hub.Recovery;
import io.wirehub.hub.Subscriber;
import io.wirehub.hub.Transport;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The hub's meters: read from {@link HubStats} at each scrape (callbacks), so the counters live
 * in one place and cost nothing between scrapes. Labels are enums and fixed codes only.
 */
final class HubMeters {
    private HubMeters() {}

    // NOTE: metric names and labels are public: docs/metrics.md, config/grafana and alerts use them.
    @SuppressWarnings("EnumOrdinal") // one scrape's sums per transport, in an array indexed by it
    static void register(PrometheusRegistry registry, Hub hub) {
        HubStats stats = hub.stats();
        gauge(
                registry,
                "wirehub_streams_open",
                "Streams open now (SSE responses, WebSocket sessions)",
                "transport",
                cb -> eachTransport(t -> cb.call(stats.subscribers(t), t.code())));
        gauge(
                registry,
                "wirehub_topics_active",
                "Topics with at least one subscriber on this instance",
                cb -> cb.call(hub.activeTopics()));
        gauge(
                registry,
                "wirehub_subscriptions",
                "Stream-topic pairs: a stream counts once per topic it follows",
                cb -> cb.call(hub.subscriptions()));
        gauge(
                registry,
                "wirehub_drain_threads",
                "Drain loops running, one virtual thread each",
                cb -> cb.call(stats.drainLoops()));
        gauge(
                registry,
                "wirehub_queue_capacity",
                "Configured queue slots per stream",
                "transport",
                cb -> eachTransport(t -> cb.call(
                        t == Transport.WS
                                ? hub.settings().wsQueueCapacity()
                                : hub.settings().sseQueueCapacity(),
                        t.code())));
        gauge(registry, "wirehub_queued_items", "Items waiting in all subscriber queues now", "transport", cb -> {
            long[] queued = new long[Transport.values().length];
            for (Subscriber subscriber : hub.subscribers()) {
                queued[subscriber.transport().ordinal()] += subscriber.queueDepth();
            }
            eachTransport(t -> cb.call(queued[t.ordinal()], t.code()));
        });

        gauge(
                registry,
                "wirehub_fanout_pending_deliveries",
                "Deliveries accepted and not yet taken by their stream's drain thread"
                        + " (the fan-out work publishers wait on)",
                cb -> cb.call(hub.fanOutWork().pending()));
        gauge(
                registry,
                "wirehub_fanout_pending_limit",
                "The bound on pending deliveries in force now; past it publishes wait," + " then get 503 overloaded",
                cb -> cb.call(hub.fanOutWork().limit()));

        counter(
                registry,
                "wirehub_events_published_total",
                "Events stored and announced by publishes to this instance",
                cb -> cb.call(stats.published()));
        counter(
                registry,
                "wirehub_publish_refused_total",
                "Publish requests refused, nothing stored, by error code",
                "reason",
                cb -> stats.publishRefused().forEach((code, count) -> cb.call(count, code)));
        // NOTE: above zero means a retry of those publishes may answer 409 until the claim expires; see the log.
        counter(
                registry,
                "wirehub_idempotency_keys_unrecorded_total",
                "Idempotency keys whose events were stored (201) but whose outcome could not be recorded",
                cb -> cb.call(stats.idempotencyKeysUnrecorded()));
        counter(
                registry,
                "wirehub_deliveries_total",
                "Events written to subscribers (one event to ten streams counts ten)",
                cb -> cb.call(stats.deliveries()));
        counter(
                registry,
                "wirehub_written_bytes_total",
                "Bytes of event and reset frames written to subscribers",
                cb -> cb.call(stats.bytesWritten()));
        String policy = hub.settings().overflowPolicy().name().toLowerCase(Locale.ROOT);
        counter(
                registry,
                "wirehub_overflows_total",
                "Events a full subscriber queue refused",
                new String[] {"transport", "policy"},
                cb -> eachTransport(t -> cb.call(stats.overflows(t), t.code(), policy)));
        counter(
                registry,
                "wirehub_catch_ups_total",
                "Catch-ups from the store after an overflow",
                cb -> cb.call(stats.catchUps()));
        counter(
                registry,
                "wirehub_store_recovered_events_total",
                "Events written from the store instead of the queue",
                "path",
                cb -> {
                    for (Recovery path : Recovery.values()) {
                        cb.call(stats.recovered(path), path.code());
                    }
                });
        counter(registry, "wirehub_resets_total", "Reset events sent (the client must re-hydrate)", "reason", cb -> {
            for (ResetReason reason : ResetReason.values()) {
                cb.call(stats.resets(reason), reason.code());
            }
        });
        counter(registry, "wirehub_stream_closes_total", "Streams ended", "reason", cb -> {
            for (CloseReason reason : CloseReason.values()) {
                cb.call(stats.closes(reason), reason.code());
            }
        });

        counter(
                registry,
                "wirehub_bus_duplicates_dropped_total",
                "Events the bus delivered twice or late, dropped by the hub",
                cb -> cb.call(stats.duplicatesDropped()));
        counter(
                registry,
                "wirehub_bus_unstored_dropped_total",
                "Bus events whose seq the store never gave (forged or corrupt): dropped, the topic's last seq taken back",
                cb -> cb.call(stats.unstoredDropped()));
        counter(
                registry,
                "wirehub_bus_gaps_detected_total",
                "Events that arrived ahead of a seq gap and were held",
                cb -> cb.call(stats.gapsDetected()));
        counter(
                registry,
                "wirehub_bus_backfills_total",
                "Bus (re)subscriptions after which the hub re-read the topics they carry: reconnects, and with interest routing each shard subscribed",
                cb -> cb.call(stats.backfills()));
        counter(
                registry,
                "wirehub_bus_backfilled_events_total",
                "Events the hub read from the store to fill bus gaps",
                cb -> cb.call(stats.backfilled()));

        registry.register(new DistributionCollector(
                "wirehub_publish_flush_latency_seconds",
                "From a publish request's arrival to the flush that carried the event, every live delivery of an event published here",
                Unit.SECONDS,
                1e9,
                stats.publishToFlush()));
        registry.register(new DistributionCollector(
                "wirehub_queue_depth_at_dequeue",
                "Items a drain loop took from its queue at once",
                null,
                1,
                stats.queueDepth()));
    }

    private static void eachTransport(Consumer<Transport> action) {
        for (Transport transport : Transport.values()) {
            action.accept(transport);
        }
    }

    static void gauge(
            PrometheusRegistry registry, String name, String help, Consumer<GaugeWithCallback.Callback> callback) {
        GaugeWithCallback.builder().name(name).help(help).callback(callback).register(registry);
    }

    static void gauge(
            PrometheusRegistry registry,
            String name,
            String help,
            String label,
            Consumer<GaugeWithCallback.Callback> callback) {
        GaugeWithCallback.builder()
                .name(name)
                .help(help)
                .labelNames(label)
                .callback(callback)
                .register(registry);
    }

    static void counter(
            PrometheusRegistry registry, String name, String help, Consumer<CounterWithCallback.Callback> callback) {
        CounterWithCallback.builder().name(name).help(help).callback(callback).register(registry);
    }

    static void counter(
            PrometheusRegistry registry,
            String name,
            String help,
            String label,
            Consumer<CounterWithCallback.Callback> callback) {
        counter(registry, name, help, new String[] {label}, callback);
    }

    static void counter(
            PrometheusRegistry registry,
            String name,
            String help,
            String[] labels,
            Consumer<CounterWithCallback.Callback> callback) {
        CounterWithCallback.builder()
                .name(name)
                .help(help)
                .labelNames(labels)
                .callback(callback)
                .register(registry);
    }
}
