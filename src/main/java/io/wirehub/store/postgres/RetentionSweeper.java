package io.wirehub.store.postgres;

import io.wirehub.schedule.Scheduler;
import io.wirehub.store.StoreUnavailableException;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.InstantSource;

/**
 * Deletes events past retention every {@code period} (a blocking task on the instance's
 * {@link Scheduler}, {@code pg-retention-<schema>}): those older
 * than {@code store.retention} (unless zero) and those beyond the newest
 * {@code store.max_events_per_topic} of their topic.
 *
 * <p>Deletes run in small autocommitted batches ({@link #BATCH} rows a statement) so no sweep
 * holds locks or bloats one transaction, and publishes interleave with them. The topics rows are
 * never touched: a topic's seq keeps counting after its old events are gone, so a cursor into the
 * deleted range reads as "past retention" and the client gets a reset. Several instances may
 * sweep the same schema at once; they only delete the same rows, which is harmless.
 */
final class RetentionSweeper implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RetentionSweeper.class.getName());
    // Small enough that one statement is quick and its locks short; large enough to keep up.
    static final int BATCH = 1000;

    private final Readers readers;
    private final InstantSource clock;
    private final Duration retention;
    private final int maxEventsPerTopic;
    private final Duration period;
    private final String deleteOld;
    private final String deleteSurplus;
    private final String name;
    private volatile boolean stopping;
    private volatile boolean failing;
    private Scheduler.Task task;

    RetentionSweeper(
            Readers readers,
            Schema schema,
            InstantSource clock,
            Duration retention,
            int maxEventsPerTopic,
            Duration period) {
        this.readers = readers;
        this.clock = clock;
        this.retention = retention;
        this.maxEventsPerTopic = maxEventsPerTopic;
        this.period = period;
        this.deleteOld = "DELETE FROM " + schema.events() + " WHERE (topic, seq) IN (SELECT topic, seq FROM "
                + schema.events() + " WHERE created_at < ? LIMIT " + BATCH + ")";
        // LATERAL keeps the plan an index probe per topic (the (topic, seq) key) rather than a join
        // over the whole table; topics that never held more than the maximum are skipped outright.
        this.deleteSurplus = "DELETE FROM " + schema.events() + " WHERE (topic, seq) IN (SELECT e.topic, e.seq FROM "
                + schema.topics() + " t CROSS JOIN LATERAL (SELECT topic, seq FROM " + schema.events()
                + " WHERE topic = t.topic AND seq <= t.seq - ? ORDER BY seq LIMIT " + BATCH + ") e"
                + " WHERE t.seq > ? LIMIT " + BATCH + ")";
        this.name = "pg-retention-" + schema.name();
    }

    RetentionSweeper start(Scheduler scheduler) {
        task = scheduler.everyBlocking(name, period, this::sweep);
        return this;
    }

    /** One pass: deletes batch after batch until nothing is left past retention (or close). */
    void sweep() {
        try {
            if (!retention.isZero()) {
                long cutoff = clock.millis() - retention.toMillis();
                deleteAll("delete events older than " + retention, deleteOld, EventRows.timestamp(cutoff));
            }
            deleteAll(
                    "delete events beyond " + maxEventsPerTopic + " per topic",
                    deleteSurplus,
                    (long) maxEventsPerTopic,
                    (long) maxEventsPerTopic);
            if (failing) {
                failing = false;
                LOG.log(System.Logger.Level.INFO, "retention sweeps work again");
            }
        } catch (StoreUnavailableException | IllegalArgumentException e) {
            if (!failing) { // one line per outage, not one per period
                failing = true;
                LOG.log(
                        System.Logger.Level.WARNING,
                        "retention sweep failed, will retry every " + period.toSeconds() + "s: " + e.getMessage());
            }
        }
    }

    private void deleteAll(String what, String sql, Object... parameters) {
        int deleted;
        do {
            deleted = readers.run(what, connection -> {
                try (PreparedStatement delete = connection.prepareStatement(sql)) {
                    for (int i = 0; i < parameters.length; i++) {
                        delete.setObject(i + 1, parameters[i]);
                    }
                    return delete.executeUpdate();
                }
            });
        } while (deleted == BATCH && !stopping);
    }

    @Override
    public void close() {
        stopping = true; // a sweep under way ends after its current batch
        if (task != null) {
            task.cancel();
        }
    }
}
