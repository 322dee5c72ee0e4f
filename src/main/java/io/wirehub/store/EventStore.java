package io.wirehub.store;

import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The event log: per topic, events with gapless seqs in commit order.
 *
 * <p>Implementations are thread safe and blocking. Reads never return a partial range from the
 * middle: {@link #readAfter} returns events with seq &gt; afterSeq in ascending order, and when
 * the first returned seq is not afterSeq + 1 the events in between are gone (retention), which
 * the caller must tell the client rather than skip.
 */
public interface EventStore extends AutoCloseable {

    /**
     * Stores the batch all or nothing, giving each event its topic's next seq in batch order.
     * Returns when the batch is durable for this store.
     *
     * @return the stored events, in the order given
     * @throws StoreUnavailableException when nothing was stored because the store cannot be reached
     */
    List<Event> append(List<NewEvent> events);

    /**
     * {@link #append(List)}, recording idempotency keys' outcomes. A store that keeps the keys in
     * its own database (PostgreSQL) records each completion in the append's transaction and checks
     * there that the claim is still the caller's; the others store the events only, and the
     * caller records the keys with {@link IdempotencyKeys#complete}. A wrapper must forward this.
     *
     * @throws IdempotencyKeys.ClaimLostException when a claim was taken over: nothing was stored
     */
    default List<Event> append(List<NewEvent> events, List<IdempotencyKeys.Completion> completions) {
        return append(events);
    }

    /** Events of the topic with seq &gt; afterSeq, ascending, at most {@code limit}. */
    List<Event> readAfter(String topic, long afterSeq, int limit);

    /**
     * For each topic, what is stored after its cursor, counting at most {@code limit} events (see
     * {@link Backlog}). Reads no event data: a replay sizes what it may hold before it reads it.
     */
    default Map<String, Backlog> backlogs(Map<String, Long> cursors, int limit) {
        Map<String, Backlog> result = new LinkedHashMap<>();
        cursors.forEach((topic, after) -> {
            List<Event> events = readAfter(topic, after, limit);
            long bytes = 0;
            for (Event event : events) {
                bytes += Backlog.utf8Length(event.data());
            }
            result.put(
                    topic,
                    events.isEmpty()
                            ? Backlog.empty(after)
                            : new Backlog(
                                    after,
                                    events.size(),
                                    bytes,
                                    events.getLast().seq()));
        });
        return result;
    }

    /**
     * Each topic's events of its backlog: seq &gt; afterSeq up to lastSeq, ascending (fewer when
     * retention removed some meanwhile). Stores with real I/O run the reads in parallel.
     */
    default Map<String, List<Event>> read(Map<String, Backlog> backlogs) {
        Map<String, List<Event>> result = new LinkedHashMap<>();
        backlogs.forEach((topic, backlog) -> result.put(
                topic,
                backlog.events() == 0
                        ? List.of()
                        : readAfter(topic, backlog.afterSeq(), backlog.events()).stream()
                                .filter(event -> event.seq() <= backlog.lastSeq())
                                .toList()));
        return result;
    }

    /** The topic's latest seq, 0 when it has none. */
    long latestSeq(String topic);

    /**
     * The topic's latest seq and its last {@code limit} events, read consistently; of those, only
     * the newest whose data (UTF-8) add up to at most {@code maxBytes}, and always the newest one.
     * {@link Snapshot#truncated} says older ones were left out to fit.
     */
    Snapshot snapshot(String topic, int limit, long maxBytes);

    /**
     * The store generation: a short token ([0-9a-z]) made when the store's data was created (a
     * memory store's start, a PostgreSQL schema's creation), the same for every instance that
     * shares the data. Seqs are only comparable within one epoch: cursors carry it, and a cursor
     * of another epoch gets a reset.
     */
    String epoch();

    /** Whether the store answers now (readiness). */
    boolean isHealthy();

    /** What it holds and how its resources fare, for the meters. */
    default StoreStats stats() {
        return StoreStats.NONE;
    }

    /**
     * Finishes the appends already queued and refuses new ones; reads go on working. A drain
     * calls it before closing the bus, so every append that commits is still announced, while the
     * streams that remain can still replay. {@link #close()} includes it.
     */
    default void closeWrites() {}

    @Override
    void close();
}
