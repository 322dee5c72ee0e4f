package io.wirehub.event;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A stream's position: the last seq delivered for each of its topics.
 *
 * <p>It travels as the SSE {@code id:} (and the WebSocket {@code "id"}), so a client that
 * reconnects with {@code Last-Event-ID} resumes exactly where it was. Token format:
 * <ul>
 *   <li>a stream of one topic: the plain seq, {@code 17};
 *   <li>several topics: {@code topic:seq} pairs sorted by topic and joined by commas,
 *       {@code orders:4,prices:17}. A topic may itself contain {@code :}, so a pair splits at its
 *       last colon; topics never contain a comma.
 * </ul>
 * The token names its topics, so it survives a reconnect with the topics in another order and a
 * WebSocket that subscribed to more topics later.
 *
 * <p>Written by the stream's drain thread; topics may be added or removed from another thread
 * (WebSocket subscribe), hence the concurrent map.
 */
public final class Cursor {
    private final ConcurrentSkipListMap<String, Long> positions = new ConcurrentSkipListMap<>();

    public Cursor(Map<String, Long> initial) {
        positions.putAll(initial);
    }

    /** The last seq delivered for the topic, or -1 when the stream does not follow it. */
    public long position(String topic) {
        Long seq = positions.get(topic);
        return seq == null ? -1 : seq;
    }

    public boolean follows(String topic) {
        return positions.containsKey(topic);
    }

    public void advance(String topic, long seq) {
        positions.replace(topic, seq);
    }

    /** Starts following a topic from the given seq; false if it was already followed. */
    public boolean add(String topic, long seq) {
        return positions.putIfAbsent(topic, seq) == null;
    }

    public boolean remove(String topic) {
        return positions.remove(topic) != null;
    }

    public Collection<String> topics() {
        return positions.keySet();
    }

    public Map<String, Long> snapshot() {
        return new TreeMap<>(positions);
    }

    public String token() {
        Map.Entry<String, Long> first = positions.firstEntry();
        if (first != null && positions.higherKey(first.getKey()) == null) {
            return Long.toString(first.getValue()); // exactly one topic
        }
        StringBuilder out = new StringBuilder();
        positions.forEach((topic, seq) -> {
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(topic).append(':').append(seq);
        });
        return out.toString();
    }

    /**
     * Reads a token sent back by a client for a stream of the given topics. Topics of the stream
     * the token does not name are absent from the result (they start fresh); topics the token
     * names that the stream does not follow are ignored.
     *
     * @throws IllegalArgumentException with a message fit for the client when the token is malformed
     */
    public static Map<String, Long> parse(String token, Collection<String> streamTopics) {
        Map<String, Long> result = new TreeMap<>();
        if (token == null || token.isEmpty()) {
            return result;
        }
        if (token.indexOf(':') < 0) {
            if (streamTopics.size() != 1) {
                throw new IllegalArgumentException(
                        "a plain seq only fits a stream of one topic; for several topics send the id as"
                                + " topic:seq pairs joined by commas, exactly as the server sent it");
            }
            result.put(streamTopics.iterator().next(), parseSeq(token));
            return result;
        }
        for (String pair : token.split(",", -1)) {
            int colon = pair.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("'" + pair + "' is not a topic:seq pair");
            }
            String topic = pair.substring(0, colon);
            if (!Names.isValidTopic(topic)) {
                throw new IllegalArgumentException("'" + topic + "' is not a valid topic (" + Names.TOPIC_RULE + ")");
            }
            if (streamTopics.contains(topic)) {
                result.put(topic, parseSeq(pair.substring(colon + 1)));
            }
        }
        return result;
    }

    private static long parseSeq(String text) {
        if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + text + "' is not a seq (a whole number from 0)");
        }
        return Long.parseLong(text);
    }
}
