package io.wirehub.http.admin;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.wirehub.event.ResetReason;
import io.wirehub.http.Json;
import io.wirehub.hub.CloseReason;
import io.wirehub.hub.Hub;
import io.wirehub.hub.HubSettings;
import io.wirehub.hub.HubStats;
import io.wirehub.hub.Transport;

/**
 * {@code GET /v1/stats}: the hub's counters as one JSON object. A thin view over {@link HubStats},
 * which /metrics reads too: the two never disagree.
 */
public final class StatsService {
    private final Hub hub;

    public StatsService(Hub hub) {
        this.hub = hub;
    }

    // NOTE: field names are public; dashboards and the perf scripts read them.
    public void stats(ServerRequest req, ServerResponse res) {
        HubStats stats = hub.stats();
        HubSettings settings = hub.settings();
        StringBuilder out = new StringBuilder(512);
        out.append("{\"subscribers\":{\"sse\":")
                .append(stats.subscribers(Transport.SSE))
                .append(",\"ws\":")
                .append(stats.subscribers(Transport.WS))
                .append(",\"total\":")
                .append(stats.subscribers())
                .append('}');
        out.append(",\"queue_capacity\":{\"sse\":")
                .append(settings.sseQueueCapacity())
                .append(",\"ws\":")
                .append(settings.wsQueueCapacity())
                .append('}');
        out.append(",\"drain_loops\":").append(stats.drainLoops());
        out.append(",\"active_topics\":").append(hub.activeTopics());
        out.append(",\"events_published\":").append(stats.published());
        out.append(",\"deliveries\":").append(stats.deliveries());
        out.append(",\"overflows\":").append(stats.overflows());
        out.append(",\"catch_ups\":").append(stats.catchUps());
        out.append(",\"resets\":").append(stats.resets());
        out.append(",\"duplicates_dropped\":").append(stats.duplicatesDropped());
        out.append(",\"backfilled\":").append(stats.backfilled());
        out.append(",\"overflows_by_transport\":{\"sse\":")
                .append(stats.overflows(Transport.SSE))
                .append(",\"ws\":")
                .append(stats.overflows(Transport.WS))
                .append('}');
        out.append(",\"resets_by_reason\":{");
        ResetReason[] resetReasons = ResetReason.values();
        for (int i = 0; i < resetReasons.length; i++) {
            out.append(i == 0 ? "" : ",")
                    .append('"')
                    .append(resetReasons[i].code())
                    .append("\":")
                    .append(stats.resets(resetReasons[i]));
        }
        out.append("},\"closes\":{");
        CloseReason[] reasons = CloseReason.values();
        for (int i = 0; i < reasons.length; i++) {
            out.append(i == 0 ? "" : ",")
                    .append('"')
                    .append(reasons[i].code())
                    .append("\":")
                    .append(stats.closes(reasons[i]));
        }
        Json.send(res, out.append("}}").toString());
    }
}
