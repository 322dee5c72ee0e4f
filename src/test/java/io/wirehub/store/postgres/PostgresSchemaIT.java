package io.wirehub.store.postgres;

import static io.wirehub.store.postgres.TestStores.events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.event.Event;
import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The schema set-up at start-up: idempotent, safe when instances start together, refuses a newer schema. */
class PostgresSchemaIT {
    @RegisterExtension
    final FreshSchema schema = new FreshSchema();

    @Test
    void settingUpTheSchemaTwiceAppliesEachVersionOnce() throws Exception {
        Schema tables = new Schema(schema.name());
        try (Connection connection = DriverManager.getConnection(TestPostgres.url(), TestPostgres.user(), "")) {
            assertEquals(Schema.latestVersion(), tables.migrate(connection));
            assertEquals(0, tables.migrate(connection));
        }
        assertVersionsRecordedOnce();
        try (PostgresEventStore store = TestStores.open(schema)) {
            assertEquals(
                    List.of(1L, 2L),
                    store.append(events("t", 2)).stream().map(Event::seq).toList());
        }
    }

    @Test
    void fourInstancesStartingAtOnceLeaveOneCorrectSchema() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<PostgresEventStore>> starts = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 4; i++) {
                starts.add(threads.submit(() -> {
                    go.await();
                    return TestStores.open(schema);
                }));
            }
            go.countDown();
        }
        List<PostgresEventStore> stores = new ArrayList<>();
        try {
            for (Future<PostgresEventStore> start : starts) {
                stores.add(start.get());
            }
            assertVersionsRecordedOnce();
            long seq = 0;
            for (PostgresEventStore store : stores) {
                assertEquals(
                        ++seq,
                        store.append(events("shared", 1)).getFirst().seq(),
                        "every instance uses the same tables");
            }
            assertEquals(
                    1,
                    stores.stream().map(PostgresEventStore::epoch).distinct().count(),
                    "every instance writes the same epoch into its cursors, so a client may resume on any of them");
        } finally {
            stores.forEach(PostgresEventStore::close);
        }
    }

    @Test
    void theEpochIsMadeWithTheSchemaAndKeptAcrossRestarts() {
        String epoch;
        try (PostgresEventStore store = TestStores.open(schema)) {
            epoch = store.epoch();
        }
        assertTrue(epoch.matches("[0-9a-z]{1,32}"), epoch);
        try (PostgresEventStore restarted = TestStores.open(schema)) {
            assertEquals(epoch, restarted.epoch(), "a restart keeps the data, so cursors stay valid");
        }
        TestPostgres.query("DROP SCHEMA \"" + schema.name() + "\" CASCADE");
        try (PostgresEventStore recreated = TestStores.open(schema)) {
            assertNotEquals(epoch, recreated.epoch(), "a schema made anew starts its seqs at 1 again: a new epoch");
        }
    }

    @Test
    void aSchemaNewerThanThisBuildIsRefusedAtStartUpUnlessMarkedAdditive() {
        TestStores.open(schema).close();
        // As a build from before the additive flag records its versions: no flag at all.
        TestPostgres.query(
                "INSERT INTO \"" + schema.name() + "\".schema_version (version, name) VALUES (99, 'V99__future.sql')");

        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> TestStores.open(schema));

        assertTrue(refused.getMessage().contains("at version 99"), refused.getMessage());
        assertTrue(refused.getMessage().contains("V99__future.sql is not marked additive"), refused.getMessage());
        assertTrue(refused.getMessage().contains("run a newer wirehub, or restore the database"), refused.getMessage());
    }

    /**
     * A rollback: the next release's migration added a column and a table (additive), then the
     * operator went back to this build. It starts, publishes and replays on the newer schema, and
     * leaves the newer migration in place for when the next release comes back.
     */
    @Test
    void thePreviousBuildRunsOnASchemaWhoseNewerMigrationsAreAdditive() {
        TestStores.open(schema).close();
        int next = Schema.latestVersion() + 1;
        String tables = "\"" + schema.name() + "\"";
        TestPostgres.query("ALTER TABLE " + tables + ".events ADD COLUMN trace_id text");
        TestPostgres.query("CREATE TABLE " + tables + ".topic_owners (topic text PRIMARY KEY, owner text NOT NULL)");
        TestPostgres.query("INSERT INTO " + tables + ".schema_version (version, name, additive) VALUES (" + next
                + ", 'V" + next + "__trace_ids.sql', true)");

        try (PostgresEventStore store = TestStores.open(schema)) {
            assertEquals(
                    List.of(1L, 2L),
                    store.append(events("rolled.back", 2)).stream()
                            .map(Event::seq)
                            .toList());
            assertEquals(
                    List.of("e1", "e2"),
                    store.readAfter("rolled.back", 0, 10).stream()
                            .map(Event::data)
                            .toList());
        }
        assertEquals(
                next,
                TestPostgres.query("SELECT max(version) FROM " + tables + ".schema_version"),
                "the newer version stays recorded: the next release finds its schema as it left it");
    }

    @Test
    void aNewerSchemaWithOneMigrationNotAdditiveIsRefusedNamingIt() {
        TestStores.open(schema).close();
        int next = Schema.latestVersion() + 1;
        TestPostgres.query("INSERT INTO \"" + schema.name() + "\".schema_version (version, name, additive) VALUES ("
                + next + ", 'V" + next + "__added.sql', true), (" + (next + 1) + ", 'V" + (next + 1)
                + "__renamed.sql', false)");

        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> TestStores.open(schema));

        assertTrue(
                refused.getMessage().contains("V" + (next + 1) + "__renamed.sql is not marked additive"),
                refused.getMessage());
    }

    @Test
    void aSchemaMadeBeforeTheAdditiveFlagGetsItForTheVersionsThisBuildKnows() {
        TestStores.open(schema).close();
        String versions = "\"" + schema.name() + "\".schema_version";
        TestPostgres.query("ALTER TABLE " + versions + " DROP COLUMN additive");

        TestStores.open(schema).close();

        assertEquals(0L, TestPostgres.query("SELECT count(*) FROM " + versions + " WHERE additive IS NULL"));
        assertEquals(
                1L,
                TestPostgres.query("SELECT count(*) FROM " + versions + " WHERE version = 1 AND NOT additive"),
                "V1 creates the store: nothing before it to be compatible with");
    }

    private void assertVersionsRecordedOnce() {
        String table = "\"" + schema.name() + "\".schema_version";
        assertEquals((long) Schema.latestVersion(), TestPostgres.query("SELECT count(*) FROM " + table));
        assertEquals((long) Schema.latestVersion(), TestPostgres.query("SELECT count(DISTINCT version) FROM " + table));
        assertEquals(0L, TestPostgres.query("SELECT count(*) FROM \"" + schema.name() + "\".events"));
    }
}
