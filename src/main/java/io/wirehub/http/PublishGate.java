package io.wirehub.http;

import io.wirehub.auth.Grant;
import io.wirehub.publish.IdempotentPublisher;
import io.wirehub.publish.Publisher;
import java.util.List;

/**
 * The one way into the publish path, whichever way a publish came (a POST, or a WebSocket
 * {@code publish} op): the token's {@code wirehub.publish} claim, the publisher's rate limit
 * ({@code publish.rate_limit}, one bucket per publisher for both ways), the idempotency keys'
 * scope, then {@link IdempotentPublisher} (whose {@link Publisher} admits against overload, stores
 * and fans out). A refusal is counted by its code.
 */
public final class PublishGate {
    // NOTE: stored in PostgreSQL (idempotency_claims.scope): changing either form forgets every key.
    private static final String NO_SUBJECT = "none";

    private final IdempotentPublisher publisher;
    private final Publisher counts;
    private final EventBodies bodies;
    private final PublishRateLimit rateLimit;
    private final int maxEventBytes;

    public PublishGate(
            IdempotentPublisher publisher,
            Publisher counts,
            int maxEventBytes,
            int maxBatchBytes,
            int maxBatchEvents,
            int rateLimitPerSecond) {
        this.publisher = publisher;
        this.counts = counts;
        this.bodies = new EventBodies(maxEventBytes, maxBatchBytes, maxBatchEvents);
        this.maxEventBytes = maxEventBytes;
        this.rateLimit = new PublishRateLimit(rateLimitPerSecond, System::nanoTime);
    }

    /** server.max_event_bytes: the largest event data. */
    public int maxEventBytes() {
        return maxEventBytes;
    }

    EventBodies bodies() {
        return bodies;
    }

    /** Takes {@code events} from the publisher's rate limit, or refuses with 429 {@code rate_limited}. */
    void admit(Grant grant, String peerHost, int events) {
        // Who a rate limit counts against: the token's subject, else the client's address.
        rateLimit.acquire(grant.subject() != null ? "sub:" + grant.subject() : "addr:" + peerHost, events);
    }

    /** Stores the events (checked, authorised and admitted already) with their keys, in the token subject's key scope. */
    List<IdempotentPublisher.Result> publish(Grant grant, EventBodies.Batch batch, long arrivedNanos) {
        return publisher.publish(batch.events(), keyScope(grant), batch.idKeys(), arrivedNanos);
    }

    /** Counts a publish refused before anything was stored, by its error code. */
    void refused(String code) {
        counts.refused(code);
    }

    /**
     * A WebSocket {@code publish} op: read, authorised, rate-limited and stored exactly like a POST
     * of one event with its {@code Idempotency-Key}.
     *
     * @param peerHost the client's address, for the rate limit of a token without a subject
     * @throws ApiError (counted) or {@link io.wirehub.auth.AuthException} or one of the publish path's
     *     failures ({@link ErrorResponses#publishRefusal}); nothing was stored then
     */
    public IdempotentPublisher.Result publishOp(Grant grant, String peerHost, String message, long arrivedNanos) {
        try {
            EventBodies.Batch one = bodies.publishOp(message);
            grant.requirePublish(List.of(one.events().getFirst().topic()));
            admit(grant, peerHost, 1);
            return publish(grant, one, arrivedNanos).getFirst();
        } catch (ApiError e) {
            refused(e.code());
            throw e;
        }
    }

    /**
     * Keys are per token subject: one user's key never answers another's. The scope is a field of
     * its own beside the key (never joined into one string, where {@code a|b} + {@code c} would
     * meet {@code a} + {@code b|c}), and requests without a subject (auth none, or a token
     * without {@code sub}) share one scope that no subject, not even {@code ""}, can name.
     */
    private static String keyScope(Grant grant) {
        return grant.subject() == null ? NO_SUBJECT : "sub:" + grant.subject();
    }
}
