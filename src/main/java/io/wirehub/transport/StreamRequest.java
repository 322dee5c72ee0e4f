package io.wirehub.transport;

import io.wirehub.event.Cursor;
import io.wirehub.event.Names;
import io.wirehub.http.ApiError;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a subscribe request asks for, SSE or WebSocket alike: its topics and where to resume.
 * Validated in full before any stream starts, so a bad request gets a 400 and opens nothing.
 *
 * @param resumeFrom positions of this store to replay after
 * @param unknownCursors topics the client's cursor names with another store's epoch: they get a
 *     reset ({@code unknown_cursor}), then live events
 */
public record StreamRequest(List<String> topics, Map<String, Long> resumeFrom, Set<String> unknownCursors) {
    // NOTE: clients branch on these codes.
    public static final String INVALID_TOPIC = "invalid_topic";
    public static final String MISSING_TOPIC = "missing_topic";
    public static final String TOO_MANY_TOPICS = "too_many_topics";
    public static final String INVALID_LAST_EVENT_ID = "invalid_last_event_id";

    /**
     * @param topics the topic query parameters, in request order (duplicates are merged)
     * @param lastEventId the {@code Last-Event-ID} header, else the {@code lastEventId} query
     *     parameter, else null
     * @param storeEpoch the epoch of this server's store, which the cursor is checked against
     * @param plainSeqIsOurs true for SSE, whose one-topic id is a plain seq; a WebSocket's ids always
     *     name their topics (see {@link Cursor#parse(String, java.util.Collection, String, boolean)})
     */
    public static StreamRequest parse(
            List<String> topics, String lastEventId, int maxTopics, String storeEpoch, boolean plainSeqIsOurs) {
        if (topics.isEmpty()) {
            throw ApiError.badRequest(MISSING_TOPIC, "name at least one topic: ?topic=prices&topic=news");
        }
        LinkedHashSet<String> distinct = new LinkedHashSet<>();
        for (String topic : topics) {
            if (!Names.isValidTopic(topic)) {
                throw ApiError.badRequest(
                        INVALID_TOPIC, "'" + printable(topic) + "' is not a valid topic: use " + Names.TOPIC_RULE);
            }
            distinct.add(topic);
        }
        if (distinct.size() > maxTopics) {
            throw ApiError.badRequest(
                    TOO_MANY_TOPICS,
                    distinct.size() + " topics in one stream; at most " + maxTopics
                            + " (server.max_topics_per_stream). Open several streams");
        }
        List<String> list = new ArrayList<>(distinct);
        try {
            Cursor.Resume resume = Cursor.parse(lastEventId, list, storeEpoch, plainSeqIsOurs);
            return new StreamRequest(list, resume.positions(), resume.unknown());
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(
                    INVALID_LAST_EVENT_ID,
                    "Last-Event-ID '" + printable(lastEventId) + "' cannot be read: " + e.getMessage()
                            + ". Omit it to start from now");
        }
    }

    /** Echoes client input safely: control characters shown as '?', and at most 200 characters. */
    static String printable(String text) {
        String clipped = text.length() > 200 ? text.substring(0, 200) + "..." : text;
        return clipped.replaceAll("\\p{Cntrl}", "?");
    }
}
