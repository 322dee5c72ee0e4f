package io.wirehub.http;

/**
 * A request the server refuses, with what the client should do about it. Rendered as
 * {@code {"status":400,"error":"invalid_topic","message":"..."}} by {@link ErrorResponses}.
 * Thrown before anything changed: a refused request has no effect.
 */
public class ApiError extends RuntimeException {
    private final int status;
    private final String code;

    public ApiError(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
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
}
