package io.wirehub.event;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Pattern;

/**
 * A stream's position: the last seq delivered for each of its topics.
 *
 * <p>It travels as the SSE {@code id:} (and the WebSocket {@code "id"}), so a client that
 * reconnects with {@code Last-Event-ID} resumes exactly where it was. Token format:
 * <ul>
 *   <li>an SSE stream of one topic: the plain seq, {@code 17};
 *   <li>several topics, and every WebSocket: {@code topic:seq} pairs sorted by topic and joined by
 *       commas, {@code orders:4,prices:17}, {@code prices:17}. A topic may itself contain
 *       {@code :}, so a pair splits at its last colon; topics never contain a comma.
 * </ul>
 * The pairs name their topics, so they survive a reconnect with the topics in another order and a
 * WebSocket that subscribed to more topics later. A plain seq names none: it is only safe where
 * the client cannot change its topics and reconnects to the same URL (EventSource), so a WebSocket,
 * which may unsubscribe down to one topic, always gets pairs, and a plain seq sent to a
 * WebSocket is not taken at its word ({@link #parse}).
 *
 * <p>On the wire the transports put the store's epoch in front: {@code 3f9a0c1e~17},
 * {@code 3f9a0c1e~orders:4,prices:17} ({@link #stamped}). The epoch names the store generation
 * the seqs belong to (a restarted memory store counts from 1 again), so a cursor from another
 * generation is recognised ({@link Resume#unknown}) rather than taken at its word. {@code ~} is in
 * no topic, seq or epoch, needs no escaping in a URL, and is no CR, LF or NUL (an SSE id).
 * A token without an epoch (what clients of earlier versions hold, or a hand-written {@code 17})
 * is still read, as a cursor of this store.
 *
 * <p>Written by the stream's drain thread; topics may be added or removed from another thread
 * (WebSocket subscribe), hence the concurrent map. Each topic's seq sits in a mutable
 * {@link Position}, so advancing it on every delivery boxes no {@code Long}.
 */
public final class Cursor {
    private final ConcurrentSkipListMap<String, Position> positions = new ConcurrentSkipListMap<>();
    private final boolean alwaysPairs;
    private final StringBuilder reused = new StringBuilder(24); // see reusedToken

    /** The cursor of an SSE stream: a plain seq while it has one topic. */
    public Cursor(Map<String, Long> initial) {
        this(initial, false);
    }

    /** @param alwaysPairs name the topic even when there is one (a WebSocket's cursor) */
    public Cursor(Map<String, Long> initial, boolean alwaysPairs) {
        this.alwaysPairs = alwaysPairs;
        initial.forEach(this::add);
    }

    /** The last seq delivered for the topic, or -1 when the stream does not follow it. */
    public long position(String topic) {
        Position position = positions.get(topic);
        return position == null ? -1 : position.seq;
    }

    public boolean follows(String topic) {
        return positions.containsKey(topic);
    }

    /** Moves a followed topic's position (no-op for a topic it does not follow). */
    public void advance(String topic, long seq) {
        Position position = positions.get(topic);
        if (position != null) {
            position.seq = seq;
        }
    }

    /** Starts following a topic from the given seq; false if it was already followed. */
    public boolean add(String topic, long seq) {
        return positions.putIfAbsent(topic, new Position(seq)) == null;
    }

    public boolean remove(String topic) {
        return positions.remove(topic) != null;
    }

    public Collection<String> topics() {
        return positions.keySet();
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> copy = new TreeMap<>();
        positions.forEach((topic, position) -> copy.put(topic, position.seq));
        return copy;
    }

    /**
     * {@link #token()} written into a builder this cursor reuses, for the drain thread's one write
     * per delivery: no string per event (it was a fifth of the server's allocation at saturation).
     * The view is valid until the next call; drain thread only.
     */
    public CharSequence reusedToken() {
        reused.setLength(0);
        Map.Entry<String, Position> first = positions.firstEntry();
        if (!alwaysPairs && first != null && positions.higherKey(first.getKey()) == null) {
            return reused.append(first.getValue().seq); // exactly one topic
        }
        for (Map.Entry<String, Position> entry : positions.entrySet()) {
            if (!reused.isEmpty()) {
                reused.append(',');
            }
            reused.append(entry.getKey()).append(':').append(entry.getValue().seq);
        }
        return reused;
    }

    public String token() {
        Map.Entry<String, Position> first = positions.firstEntry();
        if (!alwaysPairs && first != null && positions.higherKey(first.getKey()) == null) {
            return Long.toString(first.getValue().seq); // exactly one topic
        }
        StringBuilder out = new StringBuilder();
        positions.forEach((topic, position) -> {
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(topic).append(':').append(position.seq);
        });
        return out.toString();
    }

    /** One topic's last delivered seq: written by the drain thread, read by any. */
    private static final class Position {
        volatile long seq;

        Position(long seq) {
            this.seq = seq;
        }
    }

    /** The separator between the epoch and the positions. NOTE: clients store tokens that contain it. */
    public static final char EPOCH_SEPARATOR = '~';

    private static final Pattern EPOCH = Pattern.compile("[0-9a-z]{1,32}");

    /** The token as the transports write it: the store's epoch, {@code ~}, the positions. */
    public static String stamped(String epoch, String token) {
        return epoch + EPOCH_SEPARATOR + token;
    }

    /**
     * Where a reconnecting stream resumes.
     *
     * @param positions the topics to replay after the given seq (the cursor is of this store)
     * @param unknown the topics the cursor names with another store's epoch: their position means
     *     nothing here, so the stream tells the client to re-hydrate them
     */
    public record Resume(Map<String, Long> positions, Set<String> unknown) {
        public static final Resume NONE = new Resume(Map.of(), Set.of());
    }

    /**
     * Reads a token sent back by a client for a stream of the given topics, served by the store of
     * {@code storeEpoch}. Topics of the stream the token does not name start fresh; topics it
     * names that the stream does not follow are ignored. A plain seq is taken as the position of
     * the stream's one topic (an SSE stream's own id).
     *
     * @throws IllegalArgumentException with a message fit for the client when the token is malformed
     */
    public static Resume parse(String token, Collection<String> streamTopics, String storeEpoch) {
        return parse(token, streamTopics, storeEpoch, true);
    }

    /**
     * @param plainSeqIsOurs whether a plain seq with an epoch can be an id this stream handed out
     *     (an SSE stream of one topic). When not (a WebSocket), it says nothing of which topic it
     *     was for: the stream's one topic gets a reset ({@link Resume#unknown}) rather than a
     *     replay from a position that may be another topic's. A plain seq without an epoch is
     *     hand-written ({@code lastEventId=0}: from the start) and taken at its word, as ever.
     */
    public static Resume parse(
            String token, Collection<String> streamTopics, String storeEpoch, boolean plainSeqIsOurs) {
        if (token == null || token.isEmpty()) {
            return Resume.NONE;
        }
        Resume resume = parseNamed(token, streamTopics, storeEpoch);
        int separator = token.indexOf(EPOCH_SEPARATOR);
        if (!plainSeqIsOurs && separator >= 0 && token.indexOf(':', separator) < 0) {
            // A server's plain seq, but not for this stream: an SSE id, or a WebSocket id of an
            // earlier version, of whichever topic. parseNamed checked it is one topic and a seq.
            return new Resume(Map.of(), Set.copyOf(streamTopics));
        }
        return resume;
    }

    private static Resume parseNamed(String token, Collection<String> streamTopics, String storeEpoch) {
        int separator = token.indexOf(EPOCH_SEPARATOR);
        if (separator < 0) {
            return new Resume(positions(token, streamTopics), Set.of());
        }
        String epoch = token.substring(0, separator);
        if (!EPOCH.matcher(epoch).matches()) {
            throw new IllegalArgumentException(
                    "'" + epoch + "' is not a store epoch (1 to 32 of 0-9 a-z before the '~')");
        }
        String rest = token.substring(separator + 1);
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("nothing follows the store epoch");
        }
        Map<String, Long> positions = positions(rest, streamTopics);
        return epoch.equals(storeEpoch)
                ? new Resume(positions, Set.of())
                : new Resume(Map.of(), Set.copyOf(positions.keySet()));
    }

    private static Map<String, Long> positions(String token, Collection<String> streamTopics) {
        Map<String, Long> result = new TreeMap<>();
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
