package io.wirehub.store.postgres;

import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.store.IdempotencyKeys;
import io.wirehub.store.StoreUnavailableException;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * One caller's batch waiting for the writer, and the caller waiting for its answer. Answered
 * exactly once (the first answer wins), always by the writer or by close.
 */
final class PendingAppend {
    private final List<NewEvent> events;
    private final List<IdempotencyKeys.Completion> completions;
    private final CountDownLatch answered = new CountDownLatch(1);
    private volatile List<Event> stored;
    private volatile RuntimeException failure;

    PendingAppend(List<NewEvent> events) {
        this(events, List.of());
    }

    /** @param completions idempotency keys to record with the events, each naming its event's index */
    PendingAppend(List<NewEvent> events, List<IdempotencyKeys.Completion> completions) {
        this.events = events;
        this.completions = completions;
    }

    List<NewEvent> events() {
        return events;
    }

    List<IdempotencyKeys.Completion> completions() {
        return completions;
    }

    int size() {
        return events.size();
    }

    void succeed(List<Event> result) {
        if (answered.getCount() > 0) {
            stored = result;
            answered.countDown();
        }
    }

    void fail(RuntimeException e) {
        if (answered.getCount() > 0) {
            failure = e;
            answered.countDown();
        }
    }

    /**
     * Waits for the answer, uninterruptibly: once queued, the batch may commit whatever the caller
     * does, and an honest answer is worth the wait (bounded by the pool's timeouts).
     */
    List<Event> await() {
        boolean interrupted = false;
        while (true) {
            try {
                answered.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        RuntimeException e = failure;
        if (e == null) {
            return stored;
        }
        // A fresh exception per caller, so its stack shows the caller; the writer's is the cause.
        if (e instanceof StoreUnavailableException) {
            throw new StoreUnavailableException(e.getMessage(), e);
        }
        if (e instanceof IdempotencyKeys.ClaimLostException) {
            throw new IdempotencyKeys.ClaimLostException();
        }
        if (e instanceof IllegalArgumentException) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        throw new IllegalStateException(e.getMessage(), e);
    }
}
