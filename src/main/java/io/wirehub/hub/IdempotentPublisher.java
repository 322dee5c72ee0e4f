package io.wirehub.hub;

import io.wirehub.event.NewEvent;
import io.wirehub.store.IdempotencyKeys;
import io.wirehub.store.IdempotencyKeys.Claim;
import io.wirehub.store.IdempotencyKeys.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Publishes with idempotency keys: an event whose key already published returns that outcome
 * and is not stored again; the others are published together (all or nothing) and their keys
 * recorded. A key another caller is publishing right now is waited for, at most
 * {@link #PENDING_WAIT}, then refused ({@link KeyInUseException}): the client retries.
 */
public final class IdempotentPublisher {
    // A publish normally takes milliseconds; past this the other caller is stuck or gone.
    static final Duration PENDING_WAIT = Duration.ofSeconds(5);

    private final Publisher publisher;
    private final IdempotencyKeys keys;

    public IdempotentPublisher(Publisher publisher, IdempotencyKeys keys) {
        this.publisher = publisher;
        this.keys = keys;
    }

    /**
     * @param idKeys one per event, null for an event without a key
     * @param arrivedNanos when the publish request arrived (System.nanoTime), for the latency meter
     * @return each event's outcome, in the order given, and whether it was published before
     */
    public List<Result> publish(List<NewEvent> events, List<String> idKeys, long arrivedNanos) {
        Outcome[] outcomes = new Outcome[events.size()];
        Map<String, Integer> firstWithKey = new HashMap<>();
        List<String> owned = new ArrayList<>();
        List<Integer> toStore = new ArrayList<>();
        try {
            for (int i = 0; i < events.size(); i++) {
                String key = idKeys.get(i);
                if (key == null) {
                    toStore.add(i);
                } else if (firstWithKey.putIfAbsent(key, i) == null) {
                    outcomes[i] = claim(key);
                    if (outcomes[i] == null) {
                        owned.add(key);
                        toStore.add(i);
                    }
                }
            }
            List<io.wirehub.event.Event> stored = toStore.isEmpty() ? List.of()
                    : publisher.publish(toStore.stream().map(events::get).toList(), arrivedNanos);
            for (int j = 0; j < stored.size(); j++) {
                int i = toStore.get(j);
                Outcome outcome = new Outcome(stored.get(j).topic(), stored.get(j).seq());
                if (idKeys.get(i) != null) {
                    keys.complete(idKeys.get(i), outcome);
                }
                outcomes[i] = outcome;
            }
        } catch (RuntimeException e) {
            owned.forEach(keys::release); // nothing was stored for them: a retry may try again
            throw e;
        }
        List<Result> results = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            Integer first = idKeys.get(i) == null ? null : firstWithKey.get(idKeys.get(i));
            Outcome outcome = first != null ? outcomes[first] : outcomes[i];
            results.add(new Result(outcome.topic(), outcome.seq(), !toStore.contains(first != null ? first : i)));
        }
        return results;
    }

    /** @return the outcome of an earlier publish with this key, or null when this caller owns it now */
    private Outcome claim(String key) {
        long deadline = System.nanoTime() + PENDING_WAIT.toNanos();
        long pause = 5;
        while (true) {
            Claim claim = keys.claim(key);
            if (claim.owned()) {
                return null;
            }
            if (claim.outcome() != null) {
                return claim.outcome();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new KeyInUseException();
            }
            try {
                Thread.sleep(pause); // the owner is publishing: its commit takes milliseconds
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KeyInUseException();
            }
            pause = Math.min(pause * 2, 100);
        }
    }

    /** @param replayed true when an earlier publish with the same key made it: nothing was stored now */
    public record Result(String topic, long seq, boolean replayed) {}

    /** Another publish with the same key is still in progress. */
    public static final class KeyInUseException extends RuntimeException {
        KeyInUseException() {
            super("a publish with this idempotency key is in progress", null, false, false);
        }
    }
}
