package io.wirehub.store;

/**
 * Remembers which publish each {@code Idempotency-Key} made, for {@code publish.idempotency_ttl},
 * so a retried publish gets the original {@code {topic, seq}} and stores nothing.
 *
 * <p>The protocol, the same for every implementation: {@link #claim} a key before publishing;
 * the one caller that gets {@link Claim#OWNED} publishes and then {@link #complete}s the key (or
 * {@link #release}s it when the publish failed, so a retry may try again). Every other caller
 * gets the recorded outcome, or {@link Claim#PENDING} while the owner is still publishing. With
 * PostgreSQL the keys live in a table every instance shares, so this holds across instances.
 */
public interface IdempotencyKeys {

    /** What one key published. */
    record Outcome(String topic, long seq) {}

    /** The answer to a claim: owned by this caller, done (with its outcome), or pending elsewhere. */
    record Claim(boolean owned, Outcome outcome) {
        public static final Claim OWNED = new Claim(true, null);
        public static final Claim PENDING = new Claim(false, null);

        public static Claim done(Outcome outcome) {
            return new Claim(false, outcome);
        }
    }

    /** @throws StoreUnavailableException when the keys cannot be read: nothing was published */
    Claim claim(String key);

    void complete(String key, Outcome outcome);

    /** The owner's publish failed: the key is free again. */
    void release(String key);
}
