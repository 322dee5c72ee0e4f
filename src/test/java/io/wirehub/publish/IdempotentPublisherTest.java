package io.wirehub.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.bus.local.LocalBus;
import io.wirehub.event.NewEvent;
import io.wirehub.hub.Hub;
import io.wirehub.hub.HubSettings;
import io.wirehub.hub.HubStats;
import io.wirehub.hub.OverflowPolicy;
import io.wirehub.hub.WrappedStore;
import io.wirehub.store.IdempotencyKeys;
import io.wirehub.store.StoreUnavailableException;
import io.wirehub.store.memory.MemoryEventStore;
import io.wirehub.store.memory.MemoryIdempotencyKeys;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class IdempotentPublisherTest {
    private final MemoryEventStore store = new MemoryEventStore(100, InstantSource.system());
    private final Hub hub = new Hub(
            store,
            new HubSettings(
                    64,
                    64,
                    100,
                    OverflowPolicy.CATCH_UP,
                    Duration.ofSeconds(15),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(1)),
            System::nanoTime);
    private final HubStats stats = hub.stats();
    private final Publisher publisher = new Publisher(store, new LocalBus(), hub, Duration.ofMillis(500));
    private final OutageKeys keys =
            new OutageKeys(new MemoryIdempotencyKeys(100, 100, Duration.ofHours(1), System::nanoTime));

    @Test
    void aKeyThatCannotBeRecordedAfterTheCommitStillAnswersTheSeqAndIsNeverFreedForADuplicate() {
        keys.completeFails.set(true); // the outage begins right after the events commit
        IdempotentPublisher.Result result = new IdempotentPublisher(publisher, keys)
                .publish(
                        List.of(new NewEvent("idem.t", null, "x", false)),
                        "sub:alice",
                        List.of("k1"),
                        System.nanoTime())
                .getFirst();
        assertEquals(1, result.seq(), "201 with the stored seq, not 503 'nothing was stored'");
        assertFalse(result.replayed());
        assertEquals(1, stats.idempotencyKeysUnrecorded(), "counted (and logged)");
        assertFalse(keys.claim("sub:alice", "k1").owned(), "the claim stays: a retry must not store the event again");
        assertEquals(1, store.latestSeq("idem.t"));
    }

    @Test
    void aFailedAppendFreesTheKeyForTheRetry() {
        IdempotentPublisher failing = new IdempotentPublisher(
                new Publisher(
                        new WrappedStore() {
                            @Override
                            public List<io.wirehub.event.Event> append(List<NewEvent> events) {
                                throw new StoreUnavailableException("down", null);
                            }
                        },
                        new LocalBus(),
                        hub,
                        Duration.ofMillis(500)),
                keys);
        assertThrows(
                StoreUnavailableException.class,
                () -> failing.publish(
                        List.of(new NewEvent("idem.t", null, "x", false)),
                        "sub:alice",
                        List.of("k2"),
                        System.nanoTime()));
        assertTrue(keys.claim("sub:alice", "k2").owned(), "nothing was stored: the retry may publish");
    }

    /** Real memory keys whose completion can be made to fail, like a store that went away. A fake, not a mock. */
    private static final class OutageKeys implements IdempotencyKeys {
        final AtomicBoolean completeFails = new AtomicBoolean();
        private final IdempotencyKeys keys;

        OutageKeys(IdempotencyKeys keys) {
            this.keys = keys;
        }

        @Override
        public Claim claim(String scope, String key) {
            return keys.claim(scope, key);
        }

        @Override
        public void complete(Ticket ticket, Outcome outcome) {
            if (completeFails.get()) {
                throw new StoreUnavailableException("the keys cannot be reached", null);
            }
            keys.complete(ticket, outcome);
        }

        @Override
        public void release(Ticket ticket) {
            keys.release(ticket);
        }
    }
}
