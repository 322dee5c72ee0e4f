package io.wirehub.http.admin;

import io.wirehub.event.JsonStrings;
import io.wirehub.hub.Hub;
import io.wirehub.hub.Subscriber;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which clients are slow: the subscribers with the fullest queue, then the oldest event waiting
 * in it, then the most overflows. Walks every subscriber once (a read of each queue's size and
 * head), so it costs O(subscribers) per call: fine for an operator's request or a dashboard's
 * second, not for a hot path.
 */
final class SlowestSubscribers {
    static final int TOPICS_SHOWN = 5; // a stream may follow hundreds; the first few identify it

    private SlowestSubscribers() {}

    /** One subscriber as it stood when looked at. */
    record View(
            String id,
            String transport,
            List<String> topics,
            int topicCount,
            int queueDepth,
            int queueCapacity,
            long oldestQueuedMillis,
            long overflows,
            long catchUps,
            boolean lagging,
            long connectedAtMillis,
            String remoteAddress) {

        double fill() {
            return queueCapacity == 0 ? 0 : (double) queueDepth / queueCapacity;
        }
    }

    private static final Comparator<View> SLOWEST_FIRST = Comparator.comparingDouble(View::fill)
            .reversed()
            .thenComparing(Comparator.comparingLong(View::oldestQueuedMillis).reversed())
            .thenComparing(Comparator.comparingLong(View::overflows).reversed());

    static List<View> of(Hub hub, int limit) {
        long now = System.nanoTime();
        List<View> views = new ArrayList<>();
        for (Subscriber s : hub.subscribers()) {
            List<String> topics = s.topics();
            long oldest = s.oldestQueuedArrivalNanos();
            views.add(new View(
                    s.toString(),
                    s.transport().code(),
                    topics.subList(0, Math.min(TOPICS_SHOWN, topics.size())),
                    topics.size(),
                    s.queueDepth(),
                    s.queueCapacity(),
                    oldest == 0 ? 0 : Math.max(0, (now - oldest) / 1_000_000),
                    s.overflows(),
                    s.catchUps(),
                    s.lagging(),
                    s.connectedAtMillis(),
                    s.remoteAddress()));
        }
        views.sort(SLOWEST_FIRST);
        return views.size() > limit ? views.subList(0, limit) : views;
    }

    // NOTE: field names are public: operators' scripts and the dashboard read them.
    static void appendJson(StringBuilder out, List<View> views) {
        out.append('[');
        for (int i = 0; i < views.size(); i++) {
            View v = views.get(i);
            out.append(i == 0 ? "{" : ",{")
                    .append("\"id\":\"")
                    .append(v.id())
                    .append("\",\"transport\":\"")
                    .append(v.transport())
                    .append("\",\"topics\":[");
            for (int t = 0; t < v.topics().size(); t++) {
                JsonStrings.quote(out.append(t == 0 ? "" : ","), v.topics().get(t));
            }
            out.append("],\"topic_count\":")
                    .append(v.topicCount())
                    .append(",\"queue_depth\":")
                    .append(v.queueDepth())
                    .append(",\"queue_capacity\":")
                    .append(v.queueCapacity())
                    .append(",\"oldest_queued_ms\":")
                    .append(v.oldestQueuedMillis())
                    .append(",\"overflows\":")
                    .append(v.overflows())
                    .append(",\"catch_ups\":")
                    .append(v.catchUps())
                    .append(",\"lagging\":")
                    .append(v.lagging())
                    .append(",\"connected_since\":\"")
                    .append(Instant.ofEpochMilli(v.connectedAtMillis()))
                    .append('"')
                    .append(",\"remote_address\":");
            JsonStrings.quote(out, v.remoteAddress());
            out.append('}');
        }
        out.append(']');
    }
}
