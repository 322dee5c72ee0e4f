package io.wirehub.http.admin;

import io.wirehub.hub.CloseReason;
import io.wirehub.hub.Distribution;
import io.wirehub.hub.Hub;
import io.wirehub.hub.HubStats;
import io.wirehub.hub.Subscriber;
import io.wirehub.hub.Transport;
import io.wirehub.publish.Publisher;

/**
 * One frame of the dashboard's stats stream: the hub's counters (cumulative: the page derives
 * rates from two frames), the publish→flush p50/p99 of the deliveries since the previous frame,
 * queue occupancy and the slowest subscribers. One per stream connection, since the latency
 * quantiles are relative to that connection's previous frame.
 */
final class LiveStats {
    private static final int SLOWEST_SHOWN = 5;

    private final Hub hub;
    private long[] previousLatency;

    LiveStats(Hub hub) {
        this.hub = hub;
        this.previousLatency = hub.stats().publishToFlush().counts();
    }

    // NOTE: field names are read by the dashboard (src/main/resources/dashboard/dashboard.js).
    String next() {
        HubStats stats = hub.stats();
        StringBuilder out = new StringBuilder(1024);
        out.append("{\"t\":")
                .append(System.currentTimeMillis())
                .append(",\"streams\":{\"sse\":")
                .append(stats.subscribers(Transport.SSE))
                .append(",\"ws\":")
                .append(stats.subscribers(Transport.WS))
                .append('}')
                .append(",\"topics\":")
                .append(hub.activeTopics())
                .append(",\"published\":")
                .append(stats.published())
                .append(",\"deliveries\":")
                .append(stats.deliveries())
                .append(",\"overflows\":")
                .append(stats.overflows())
                .append(",\"catch_ups\":")
                .append(stats.catchUps())
                .append(",\"resets\":")
                .append(stats.resets())
                .append(",\"overloaded\":")
                .append(stats.publishRefused().getOrDefault(Publisher.OVERLOADED, 0L))
                .append(",\"fanout\":{\"pending\":")
                .append(hub.fanOutWork().pending())
                .append(",\"limit\":")
                .append(hub.fanOutWork().limit())
                .append('}')
                .append(",\"closes\":{");
        CloseReason[] reasons = CloseReason.values();
        for (int i = 0; i < reasons.length; i++) {
            out.append(i == 0 ? "" : ",")
                    .append('"')
                    .append(reasons[i].code())
                    .append("\":")
                    .append(stats.closes(reasons[i]));
        }
        out.append('}');
        appendLatency(out, stats.publishToFlush());
        appendQueues(out);
        out.append(",\"slowest\":");
        SlowestSubscribers.appendJson(out, SlowestSubscribers.of(hub, SLOWEST_SHOWN));
        return out.append('}').toString();
    }

    private void appendLatency(StringBuilder out, Distribution latency) {
        long[] now = latency.counts();
        long[] since = new long[now.length];
        for (int i = 0; i < now.length; i++) {
            since[i] = now[i] - previousLatency[i];
        }
        previousLatency = now;
        long[] bounds = latency.bounds();
        out.append(",\"latency_ms\":{\"p50\":")
                .append(millis(Quantile.of(bounds, since, 0.5)))
                .append(",\"p99\":")
                .append(millis(Quantile.of(bounds, since, 0.99)))
                .append(",\"count\":")
                .append(Quantile.total(since))
                .append('}');
    }

    private void appendQueues(StringBuilder out) {
        long items = 0;
        long capacity = 0;
        double maxFill = 0;
        for (Subscriber subscriber : hub.subscribers()) {
            int depth = subscriber.queueDepth();
            int size = subscriber.queueCapacity();
            items += depth;
            capacity += size;
            maxFill = Math.max(maxFill, size == 0 ? 0 : (double) depth / size);
        }
        out.append(",\"queue\":{\"items\":")
                .append(items)
                .append(",\"capacity\":")
                .append(capacity)
                .append(",\"max_fill\":")
                .append(Math.round(maxFill * 1000) / 1000.0)
                .append('}');
    }

    private static String millis(double nanos) {
        return Double.isNaN(nanos) ? "null" : String.valueOf(Math.round(nanos / 1e3) / 1e3);
    }
}
