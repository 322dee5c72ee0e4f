package io.wirehub.publish;

import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.store.IdempotencyKeys;
import io.wirehub.store.IdempotencyKeys.Claim;
import io.wirehub.store.IdempotencyKeys.Completion;
import io.wirehub.store.IdempotencyKeys.Outcome;
import io.wirehub.store.IdempotencyKeys.Ticket;
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
 *
 * <p>The line that matters is the append's return. Before it, a failure releases the claims
 * (nothing was stored, a retry may store). After it the events are committed: the client gets its
 * seqs (201) whatever happens next, and a claim is never released, since releasing it would let
 * the retry store the events a second time. A key whose outcome then cannot be recorded is logged
 * and counted; a retry with it waits for the claim to expire rather than duplicate.
 */
public final class IdempotentPublisher {
    private static final System.Logger LOG = System.getLogger(IdempotentPublisher.class.getName());
    // A publish normally takes milliseconds; past this the other caller is stuck or gone.
    static final Duration PENDING_WAIT = Duration.ofSeconds(5);

    private final Publisher publisher;
    private final IdempotencyKeys keys;

    public IdempotentPublisher(Publisher publisher, IdempotencyKeys keys) {
        this.publisher = publisher;
        this.keys = keys;
    }

    /**
     * @param scope whose keys these are (one per token subject); keys of other scopes never answer
     * @param idKeys one per event, null for an event without a key
     * @param arrivedNanos when the publish request arrived (System.nanoTime), for the latency meter
     * @return each event's outcome, in the order given, and whether it was published before
     */
    public List<Result> publish(List<NewEvent> events, String scope, List<String> idKeys, long arrivedNanos) {
        Outcome[] outcomes = new Outcome[events.size()];
        Map<String, Integer> firstWithKey = new HashMap<>();
        List<Ticket> owned = new ArrayList<>();
        List<Integer> toStore = new ArrayList<>();
        List<Completion> completions = new ArrayList<>();
        List<Event> stored;
        try {
            for (int i = 0; i < events.size(); i++) {
                String key = idKeys.get(i);
                if (key == null) {
                    toStore.add(i);
                } else if (firstWithKey.putIfAbsent(key, i) == null) {
                    Claim claim = claim(scope, key);
                    if (claim.owned()) {
                        owned.add(claim.ticket());
                        completions.add(new Completion(claim.ticket(), toStore.size()));
                        toStore.add(i);
                    } else {
                        outcomes[i] = claim.outcome();
                    }
                }
            }
            stored = toStore.isEmpty()
                    ? List.of()
                    : publisher.publish(toStore.stream().map(events::get).toList(), completions, arrivedNanos);
        } catch (RuntimeException e) {
            owned.forEach(this::releaseQuietly); // nothing was stored for them: a retry may try again
            if (e instanceof IdempotencyKeys.ClaimLostException) {
                throw new KeyInUseException(); // another caller took a key over and is publishing it
            }
            throw e;
        }
        // Committed: from here on, only answer.
        for (int j = 0; j < stored.size(); j++) {
            outcomes[toStore.get(j)] =
                    new Outcome(stored.get(j).topic(), stored.get(j).seq());
        }
        for (Completion completion : completions) {
            complete(completion.ticket(), outcomes[toStore.get(completion.event())]);
        }
        List<Result> results = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            Integer first = idKeys.get(i) == null ? null : firstWithKey.get(idKeys.get(i));
            Outcome outcome = first != null ? outcomes[first] : outcomes[i];
            results.add(new Result(outcome.topic(), outcome.seq(), !toStore.contains(first != null ? first : i)));
        }
        return results;
    }

    private void complete(Ticket ticket, Outcome outcome) {
        try {
            keys.complete(ticket, outcome);
        } catch (RuntimeException e) {
            publisher.keyUnrecorded();
            LOG.log(
                    System.Logger.Level.WARNING,
                    "an idempotent publish was stored as " + outcome.topic() + " seq " + outcome.seq()
                            + " but its key's outcome could not be recorded; a retry with that key gets 409 until the claim expires: "
                            + e);
        }
    }

    private void releaseQuietly(Ticket ticket) {
        try {
            keys.release(ticket);
        } catch (RuntimeException e) {
            // the claim stays pending until taken over or expired; the original failure is what the client hears of
            LOG.log(System.Logger.Level.DEBUG, "an idempotency claim could not be released: " + e);
        }
    }

    /** @return the owned claim, or the outcome of an earlier publish with this key */
    private Claim claim(String scope, String key) {
        long deadline = System.nanoTime() + PENDING_WAIT.toNanos();
        long pause = 5;
        while (true) {
            Claim claim = keys.claim(scope, key);
            if (claim.owned() || claim.outcome() != null) {
                return claim;
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
