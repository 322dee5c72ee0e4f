package io.wirehub.store.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.store.IdempotencyKeys.Claim;
import io.wirehub.store.IdempotencyKeys.Outcome;
import io.wirehub.store.IdempotencyKeys.TooManyKeysException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The map scaled down: 6 keys in all, 3 per publisher. */
class MemoryIdempotencyKeysTest {
    private final AtomicLong now = new AtomicLong();
    private final MemoryIdempotencyKeys keys = new MemoryIdempotencyKeys(6, 3, Duration.ofSeconds(60), now::get);

    @Test
    void onePublishersKeysNeverEvictAnothersEvenInProgressItIsRefusedInstead() {
        Claim inProgress = keys.claim("sub:bob", "b1"); // bob's publish has not committed yet
        Claim done = keys.claim("sub:bob", "b2");
        keys.complete(done.ticket(), new Outcome("t", 7));
        for (int i = 0; i < 3; i++) {
            assertTrue(keys.claim("sub:mallory", "m" + i).owned());
        }
        TooManyKeysException refused = assertThrows(TooManyKeysException.class, () -> keys.claim("sub:mallory", "m3"));
        assertTrue(refused.getMessage().contains("3 idempotency keys"), refused.getMessage());
        assertEquals(Claim.PENDING, keys.claim("sub:bob", "b1"), "bob's publish in progress is still his");
        assertEquals(new Outcome("t", 7), keys.claim("sub:bob", "b2").outcome(), "bob's retry still gets its seq");
        assertTrue(inProgress.owned());
    }

    @Test
    void aFullMapRefusesNewKeysAndForgetsNoneBeforeItsTtl() {
        for (String scope : new String[] {"a", "b"}) {
            for (int i = 0; i < 3; i++) {
                keys.claim(scope, "k" + i);
            }
        }
        assertThrows(TooManyKeysException.class, () -> keys.claim("c", "k0"));
        assertEquals(Claim.PENDING, keys.claim("a", "k0"));
        now.addAndGet(Duration.ofSeconds(61).toNanos());
        assertTrue(keys.claim("c", "k0").owned(), "expired keys make room");
        assertTrue(keys.claim("a", "k0").owned(), "an expired key is forgotten, in progress or not");
    }

    @Test
    void scopesKeepTheirKeysApartAndAReleaseOnlyFreesItsOwnClaim() {
        Claim a = keys.claim("sub:a|b", "c");
        assertTrue(keys.claim("sub:a", "b|c").owned(), "a|b + c is not a + b|c");
        assertTrue(keys.claim("none", "c").owned(), "no subject is not the subject \"\"");
        assertTrue(keys.claim("sub:", "c").owned());
        keys.release(a.ticket());
        Claim again = keys.claim("sub:a|b", "c");
        assertTrue(again.owned());
        keys.release(a.ticket()); // the first owner's late release
        assertEquals(Claim.PENDING, keys.claim("sub:a|b", "c"), "the new owner's claim stays");
    }
}
