package io.wirehub.store.postgres;

import static io.wirehub.store.postgres.TestStores.events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.testing.FreshSchema;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One group transaction, driven by hand: how a group's callers are answered when part of it is refused. */
class PostgresGroupCommitIT {
    @RegisterExtension
    static final FreshSchema schema = new FreshSchema();

    private static PostgresEventStore store; // sets the schema up and reads back
    private static HikariDataSource pool;
    private static GroupCommitWriter writer; // never started: the test calls commit() itself

    @BeforeAll
    static void open() {
        store = TestStores.open(schema);
        pool = ConnectionPool.open(TestStores.settings(schema, Map.of()).postgres());
        writer = new GroupCommitWriter(pool, new Schema(schema.name()), InstantSource.system());
    }

    @AfterAll
    static void close() {
        pool.close();
        store.close();
    }

    @Test
    void aRefusedBatchFailsOnlyItsOwnCallerAndTheRestOfTheGroupCommits() {
        PendingAppend first = new PendingAppend(events("group.a", 2));
        PendingAppend refused = new PendingAppend(List.of(
                new NewEvent("group.a", null, "ok", false), new NewEvent("group.b", null, "nul \u0000", false)));
        PendingAppend last = new PendingAppend(
                List.of(new NewEvent("group.b", null, "b", false), new NewEvent("group.a", null, "a", false)));

        writer.commit(List.of(first, refused, last));

        assertEquals(List.of(1L, 2L), first.await().stream().map(Event::seq).toList());
        assertEquals(List.of(1L, 3L), last.await().stream().map(Event::seq).toList());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, refused::await);
        assertTrue(e.getMessage().contains("refused"), e.getMessage());
        assertEquals(
                List.of("e1", "e2", "a"),
                store.readAfter("group.a", 0, 10).stream().map(Event::data).toList());
        assertEquals(
                List.of("b"),
                store.readAfter("group.b", 0, 10).stream().map(Event::data).toList());
    }

    @Test
    void oneGroupGivesEachCallerItsOwnRunOfSeqsInQueueOrder() {
        PendingAppend one = new PendingAppend(events("order.t", 3));
        PendingAppend two = new PendingAppend(events("order.t", 2));

        writer.commit(List.of(one, two));

        assertEquals(List.of(1L, 2L, 3L), one.await().stream().map(Event::seq).toList());
        assertEquals(List.of(4L, 5L), two.await().stream().map(Event::seq).toList());
        assertEquals(
                one.await().getFirst().timeMillis(), two.await().getFirst().timeMillis(), "one transaction, one time");
    }
}
