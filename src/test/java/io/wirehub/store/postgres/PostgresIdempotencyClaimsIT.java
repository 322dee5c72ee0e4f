package io.wirehub.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.event.Event;
import io.wirehub.store.IdempotencyKeys;
import io.wirehub.store.IdempotencyKeys.Claim;
import io.wirehub.store.IdempotencyKeys.Completion;
import io.wirehub.store.IdempotencyKeys.Outcome;
import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.TestPostgres;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A key's outcome commits with its events, and only while its claim is still the committer's. */
class PostgresIdempotencyClaimsIT {
    @RegisterExtension
    final FreshSchema schema = new FreshSchema();

    @Test
    void committedEventsHaveTheirKeyRecordedSoNoLaterFailureCanFreeIt() {
        try (PostgresEventStore store = TestStores.open(schema)) {
            IdempotencyKeys keys = store.idempotencyKeys(Duration.ofHours(1));
            Claim claim = keys.claim("sub:alice", "k1");
            assertTrue(claim.owned());
            long seq = store.append(TestStores.events("claims.a", 1), List.of(new Completion(claim.ticket(), 0)))
                    .getFirst()
                    .seq();
            // No complete(): whatever happens after the commit (an outage, a busy pool), the key is recorded.
            keys.release(claim.ticket()); // what a failure after the commit used to do: the key must stay
            assertEquals(
                    new Outcome("claims.a", seq),
                    keys.claim("sub:alice", "k1").outcome(),
                    "a retry answers the stored seq");
            assertEquals(seq, store.latestSeq("claims.a"));
        }
    }

    @Test
    void aClaimTakenOverWhileItsOwnerCommitsStoresOnceNotTwice() {
        try (PostgresEventStore store = TestStores.open(schema)) {
            IdempotencyKeys keys = store.idempotencyKeys(Duration.ofHours(1));
            Claim slow = keys.claim("sub:alice", "k2");
            // The owner is still busy past the takeover age (a long commit queue, a GC pause).
            TestPostgres.query("UPDATE \"" + schema.name() + "\".idempotency_claims SET claimed_at = now() - interval '"
                    + (PostgresIdempotencyKeys.ABANDONED.toSeconds() + 1) + " seconds'");
            Claim taker = keys.claim("sub:alice", "k2");
            assertTrue(taker.owned(), "an old pending claim is taken over");
            assertThrows(
                    IdempotencyKeys.ClaimLostException.class,
                    () -> store.append(TestStores.events("claims.b", 1), List.of(new Completion(slow.ticket(), 0))),
                    "the first owner's late commit stores nothing");
            assertEquals(0, store.latestSeq("claims.b"));
            keys.release(slow.ticket()); // its failure path: must not free the taker's claim
            assertEquals(Claim.PENDING, keys.claim("sub:alice", "k2"));
            long seq = store.append(TestStores.events("claims.b", 1), List.of(new Completion(taker.ticket(), 0)))
                    .getFirst()
                    .seq();
            assertEquals(
                    new Outcome("claims.b", seq), keys.claim("sub:alice", "k2").outcome());
            assertEquals(1, store.latestSeq("claims.b"), "stored once");
        }
    }

    @Test
    void aLostClaimFailsOnlyItsOwnBatchWhenBothQueueTogether() throws Exception {
        try (PostgresEventStore store = TestStores.open(schema)) {
            IdempotencyKeys keys = store.idempotencyKeys(Duration.ofHours(1));
            Claim lost = keys.claim("none", "k3");
            TestPostgres.query("UPDATE \"" + schema.name() + "\".idempotency_claims SET owner = owner + 1");
            Claim other = keys.claim("none", "k4");
            FutureTask<List<Event>> loser = new FutureTask<>(
                    () -> store.append(TestStores.events("claims.c", 1), List.of(new Completion(lost.ticket(), 0))));
            Thread.ofVirtual().start(loser); // may share a group with the next append, or not: either way only it fails
            store.append(TestStores.events("claims.c", 2), List.of(new Completion(other.ticket(), 1)));
            ExecutionException refused = assertThrows(ExecutionException.class, loser::get);
            assertTrue(
                    refused.getCause() instanceof IdempotencyKeys.ClaimLostException,
                    refused.getCause().toString());
            assertEquals(2, store.latestSeq("claims.c"), "the other batch committed, the lost one did not");
            assertEquals(
                    new Outcome("claims.c", 2),
                    keys.claim("none", "k4").outcome(),
                    "the key names its own event, the second");
            assertFalse(keys.claim("none", "k3").owned(), "the lost claim is still someone else's");
        }
    }
}
