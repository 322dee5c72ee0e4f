package io.wirehub.hub;

import io.wirehub.event.Cursor;
import io.wirehub.event.Event;
import io.wirehub.event.ResetReason;
import io.wirehub.store.Backlog;
import io.wirehub.store.EventStore;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes what a stream missed, from the store: the capped replay of a reconnecting client, the
 * range behind a seq jump, and the catch-up of a stream whose queue overflowed.
 *
 * <p>Invariant: every event it writes is the cursor's next seq. Where the store cannot give that
 * one (retention removed it, a page has a hole in it), the stream gets a reset instead, never a
 * later event. Runs on the drain thread only; each read goes through {@link DrainThread} so that
 * no interrupt lands in it.
 */
final class CatchUp {
    private final EventStore store;
    private final Cursor cursor;
    private final StreamWriter writer;
    private final DrainThread drainThread;
    private final int pageSize; // replay_limit: the cap of a reconnect's replay, and a catch-up's page
    private final ReplayBudget budget;
    private final HubStats stats;

    CatchUp(
            EventStore store,
            Cursor cursor,
            StreamWriter writer,
            DrainThread drainThread,
            int pageSize,
            ReplayBudget budget,
            HubStats stats) {
        this.store = store;
        this.cursor = cursor;
        this.writer = writer;
        this.drainThread = drainThread;
        this.pageSize = pageSize;
        this.budget = budget;
        this.stats = stats;
    }

    /**
     * The replay of a reconnecting client: per topic, everything after the cursor, or a reset. The
     * cursor already holds each topic's resume position (see {@link Subscriber#position()}); a
     * topic whose cursor came from another store is reset first.
     *
     * <p>The store sizes the topics first, without reading their data. A topic is replayed only if
     * it has at most replay_limit events and they fit in {@link ReplayBudget#STREAM_BYTES} with
     * the topics before it (in the stream's order); the others get a {@code replay_limit} reset
     * and are never read. So a topic is either replayed from its cursor up to its last event at
     * sizing time (later ones come through the queue, which the stream joined before) or reset.
     */
    void replay(StreamStart start) throws IOException {
        Map<String, Long> resumeFrom = new LinkedHashMap<>(); // in the stream's order: the budget goes to the first
        for (String topic : start.topics()) {
            Long after = start.resumeFrom().get(topic);
            if (after != null) {
                resumeFrom.put(topic, after);
            }
        }
        Map<String, Backlog> backlogs = drainThread.readStore(() -> store.backlogs(resumeFrom, pageSize + 1));
        Map<String, Backlog> affordable = new LinkedHashMap<>();
        long bytes = 0;
        for (Map.Entry<String, Backlog> entry : backlogs.entrySet()) {
            Backlog backlog = entry.getValue();
            if (backlog.events() <= pageSize && bytes + backlog.bytes() <= ReplayBudget.STREAM_BYTES) {
                affordable.put(entry.getKey(), backlog);
                bytes += backlog.bytes();
            }
        }
        long reserve = bytes;
        ReplayBudget.Reservation reservation = drainThread.readStore(() -> budget.reserve(reserve));
        if (reservation == null) {
            // The instance's other replays held the budget too long: reset what has events to replay.
            affordable.values().removeIf(backlog -> backlog.events() > 0);
        }
        try {
            Map<String, List<Event>> missed = affordable.isEmpty()
                    ? new HashMap<>()
                    : new HashMap<>(drainThread.readStore(() -> store.read(affordable)));
            for (String topic : start.unknownCursors()) {
                reset(topic, ResetReason.UNKNOWN_CURSOR);
            }
            for (Map.Entry<String, Long> entry : resumeFrom.entrySet()) {
                String topic = entry.getKey();
                List<Event> events = Objects.requireNonNullElse(missed.remove(topic), List.of()); // written, it can go
                if (!affordable.containsKey(topic)) {
                    reset(topic, ResetReason.REPLAY_LIMIT);
                } else if (events.isEmpty() && latestSeq(topic) < entry.getValue()) {
                    reset(topic, ResetReason.UNKNOWN_CURSOR);
                } else {
                    fill(topic, Long.MAX_VALUE, events, Recovery.REPLAY);
                }
            }
        } finally {
            if (reservation != null) {
                reservation.close();
            }
        }
    }

    /** Everything stored after the cursor (a lagging stream), page by page. */
    void catchUp(String topic) throws IOException {
        fill(topic, Long.MAX_VALUE, Recovery.CATCH_UP);
    }

    /**
     * Brings the cursor to {@code seq - 1} before {@code seq} is written: the stored events, or a
     * reset. Returns false, and writes nothing, when the store never gave {@code seq}: an event
     * reaches the hub only once committed, so one ahead of the store's latest seq is a forged or
     * corrupt bus message, and writing it would make the client skip every real event up to it.
     */
    boolean fillBefore(String topic, long seq) throws IOException {
        if (latestSeq(topic) < seq) {
            return false;
        }
        fill(topic, seq - 1, Recovery.GAP);
        if (cursor.position(topic) < seq - 1) {
            reset(topic, ResetReason.RETENTION); // never write past a gap without saying so
        }
        return true;
    }

    long latestSeq(String topic) throws IOException {
        return drainThread.readStore(() -> store.latestSeq(topic));
    }

    private void fill(String topic, long upTo, Recovery path) throws IOException {
        long position = cursor.position(topic);
        if (position >= 0 && position < upTo) {
            fill(topic, upTo, readPage(topic, upTo), path);
        }
    }

    /**
     * Writes the stored events after the cursor up to {@code upTo}, starting with {@code page}
     * (already read), then page after page; a reset where the next seq is no longer stored.
     */
    private void fill(String topic, long upTo, List<Event> page, Recovery path) throws IOException {
        while (true) {
            long position = cursor.position(topic);
            if (position < 0 || position >= upTo) {
                return;
            }
            if (page.isEmpty()) {
                if (latestSeq(topic) <= position) {
                    return; // caught up
                }
                // The topic is ahead of the cursor: read again (an event committed between the two
                // reads is no loss); still nothing stored after the cursor means retention.
                page = readPage(topic, upTo);
                if (page.isEmpty()) {
                    reset(topic, ResetReason.RETENTION);
                    return;
                }
            }
            if (!writeInOrder(topic, upTo, page, path) || page.size() < pageSize || cursor.position(topic) >= upTo) {
                return;
            }
            page = readPage(topic, upTo);
        }
    }

    /** Writes the page's events that come next, up to upTo; false when it stopped (upTo, or a hole and its reset). */
    private boolean writeInOrder(String topic, long upTo, List<Event> page, Recovery path) throws IOException {
        for (Event event : page) {
            long position = cursor.position(topic);
            if (event.seq() > upTo) {
                return false;
            }
            if (event.seq() > position + 1) {
                // A hole inside the page: retention removed it (writers' clocks differ).
                reset(topic, ResetReason.RETENTION);
                return false;
            }
            if (event.seq() == position + 1) {
                writer.event(event);
                stats.recoveredOne(path);
            }
        }
        return true;
    }

    private List<Event> readPage(String topic, long upTo) throws IOException {
        long after = cursor.position(topic);
        int limit = (int) Math.min(pageSize, upTo - after);
        return drainThread.readStore(() -> store.readAfter(topic, after, limit));
    }

    /**
     * Moves a stream that fell too far behind to the present: a reset for the topic when the store
     * has events after the cursor, nothing when it is level (a quiet topic of the same stream).
     */
    void skipToPresent(String topic, ResetReason reason) throws IOException {
        long latest = latestSeq(topic);
        if (latest > cursor.position(topic)) {
            writer.reset(topic, latest, reason);
        }
    }

    void reset(String topic, ResetReason reason) throws IOException {
        writer.reset(topic, latestSeq(topic), reason);
    }
}
