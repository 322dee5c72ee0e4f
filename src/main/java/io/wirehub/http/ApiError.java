package io.wirehub.http;

/**
 * A request the server refuses, with what the client should do about it. Rendered as
 * {@code {"status":400,"error":"invalid_topic","message":"..."}} by {@link ErrorResponses} (with
 * {@code Retry-After} when it says when to come back), or as a WebSocket {@code error} op.
 * Thrown before anything changed: a refused request has no effect.
 */
public class ApiError extends RuntimeException {
    private final int status;
    private final String code;
    private final long retryAfterSeconds;

    public ApiError(int status, String code, String message) {
        this(status, code, message, 0);
    }

    /** @param retryAfterSeconds when the client may try again (Retry-After); 0: not said */
    public ApiError(int status, String code, String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiError badRequest(String code, String message) {
        return new ApiError(400, code, message);
    }

    public int status() {
        return status;
    }

    /** A stable, machine-readable code. */
    public String code() {
        return code;
    }

    /** Seconds the client should wait before it tries again; 0 when the refusal does not say. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
