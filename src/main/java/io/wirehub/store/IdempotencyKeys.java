package io.wirehub.store;

/**
 * Remembers which publish each {@code Idempotency-Key} made, for {@code publish.idempotency_ttl},
 * so a retried publish gets the original {@code {topic, seq}} and stores nothing.
 *
 * <p>Keys live in scopes (one per token subject, one for requests without a subject), kept apart
 * as a separate field, never by joining strings: a key of one scope never answers another's.
 *
 * <p>The protocol, the same for every implementation: {@link #claim} a key before publishing;
 * the one caller that gets an owned claim (a {@link Ticket}) appends its events with
 * {@link EventStore#append(java.util.List, java.util.List)} and then {@link #complete}s the key,
 * or {@link #release}s it when nothing was stored, so a retry may try again. Every other caller
 * gets the recorded outcome, or {@link Claim#PENDING} while the owner is still publishing. With
 * PostgreSQL the keys live in a table every instance shares, so this holds across instances, and
 * the append records the outcome in its own transaction ({@link #complete} has nothing left to
 * do): committed events and their recorded key are one fact, never two.
 */
public interface IdempotencyKeys {

    /** What one key published. */
    record Outcome(String topic, long seq) {}

    /** One owned claim: the key, its scope, and the owner's token that only this caller holds. */
    record Ticket(String scope, String key, long owner) {}

    /** A claimed key and the index, in the appended batch, of the event whose outcome it records. */
    record Completion(Ticket ticket, int event) {}

    /** The answer to a claim: owned by this caller (with its ticket), done (with its outcome), or pending elsewhere. */
    record Claim(Ticket ticket, Outcome outcome) {
        public static final Claim PENDING = new Claim(null, null);

        public static Claim owned(Ticket ticket) {
            return new Claim(ticket, null);
        }

        public static Claim done(Outcome outcome) {
            return new Claim(null, outcome);
        }

        public boolean owned() {
            return ticket != null;
        }
    }

    /**
     * @throws StoreUnavailableException when the keys cannot be read: nothing was published
     * @throws TooManyKeysException when the scope may not claim another key now
     */
    Claim claim(String scope, String key);

    /** Records the outcome of an owned claim whose events were stored. */
    void complete(Ticket ticket, Outcome outcome);

    /** Nothing was stored for this claim: the key is free again, unless it was taken over or completed meanwhile. */
    void release(Ticket ticket);

    /** The claim was taken over by another caller before the append committed: nothing was stored. */
    final class ClaimLostException extends RuntimeException {
        public ClaimLostException() {
            super(
                    "the idempotency claim was taken over by another publish with the same key; nothing was stored",
                    null,
                    false,
                    false);
        }
    }

    /** A scope holds as many keys as it may (a bound of the memory store): nothing was stored. */
    final class TooManyKeysException extends RuntimeException {
        public TooManyKeysException(String message) {
            super(message, null, false, false);
        }
    }
}
