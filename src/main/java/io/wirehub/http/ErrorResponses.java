package io.wirehub.http;

import io.helidon.http.BadRequestException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.wirehub.auth.AuthException;
import io.wirehub.event.JsonStrings;
import io.wirehub.publish.IdempotentPublisher;
import io.wirehub.publish.Publisher;
import io.wirehub.store.IdempotencyKeys;
import io.wirehub.store.StoreUnavailableException;

/**
 * The one JSON error shape: {@code {"status":..,"error":"<stable code>","message":"<how to fix>"}}.
 * Internal exception text stays in the log, never in a response.
 */
public final class ErrorResponses {
    private static final System.Logger LOG = System.getLogger(ErrorResponses.class.getName());

    // NOTE: clients branch on these codes.
    static final String STORE_UNAVAILABLE = Publisher.STORE_UNAVAILABLE;
    static final String SHUTTING_DOWN = Publisher.SHUTTING_DOWN;
    static final String NOT_FOUND = "not_found";
    static final String INTERNAL = "internal_error";
    static final String IDEMPOTENCY_KEY_IN_USE = "idempotency_key_in_use";
    static final String TOO_MANY_IDEMPOTENCY_KEYS = "too_many_idempotency_keys";
    static final String BAD_REQUEST = "bad_request";

    private ErrorResponses() {}

    /** Registers the handlers that turn exceptions into the JSON shape, and the 404 fallback. */
    public static void register(HttpRouting.Builder routing) {
        routing.error(ApiError.class, (req, res, e) -> send(res, e));
        routing.error(AuthException.class, (req, res, e) -> send(res, e));
        routing.error(StoreUnavailableException.class, (req, res, e) -> send(res, publishRefusal(e)));
        routing.error(Publisher.OverloadedException.class, (req, res, e) -> send(res, publishRefusal(e)));
        routing.error(Publisher.ShuttingDownException.class, (req, res, e) -> send(res, publishRefusal(e)));
        routing.error(IdempotentPublisher.KeyInUseException.class, (req, res, e) -> send(res, publishRefusal(e)));
        routing.error(IdempotencyKeys.TooManyKeysException.class, (req, res, e) -> send(res, publishRefusal(e)));
        // Helidon's own refusals of what a handler reads (e.g. an unparsable Content-Type): the client's fault.
        routing.error(
                BadRequestException.class,
                (req, res, e) -> send(
                        res,
                        ApiError.badRequest(
                                BAD_REQUEST,
                                "the request cannot be read: " + clip(e.getMessage()) + "; check its headers")));
        routing.error(RuntimeException.class, (req, res, e) -> {
            LOG.log(
                    System.Logger.Level.ERROR,
                    "unexpected error on " + req.prologue().method() + " "
                            + req.path().path(),
                    e);
            send(
                    res,
                    new ApiError(
                            500,
                            INTERNAL,
                            "unexpected server error; it is logged. Retry, and report it if it persists"));
        });
    }

    /**
     * What a publish that failed after its checks tells the client, whichever way it came (a POST,
     * or a WebSocket publish op): each failure's stable code, its advice, and when to retry.
     *
     * @return the refusal, or null when {@code e} is not one of the publish path's failures
     */
    public static ApiError publishRefusal(RuntimeException e) {
        return switch (e) {
            case ApiError refusal -> refusal;
            case StoreUnavailableException down -> {
                LOG.log(System.Logger.Level.WARNING, "store unavailable: " + down.getMessage());
                yield new ApiError(
                        503,
                        STORE_UNAVAILABLE,
                        "the event store cannot be reached; nothing was stored. Retry after a few seconds",
                        2);
            }
            case Publisher.OverloadedException overloaded ->
                new ApiError(
                        503,
                        Publisher.OVERLOADED,
                        "the server cannot fan out events as fast as they come; nothing was stored. Retry after a second, or publish more slowly",
                        1);
            case Publisher.ShuttingDownException draining ->
                new ApiError(
                        503,
                        SHUTTING_DOWN,
                        "this instance is shutting down; nothing was stored. Retry (another instance will take it)",
                        1);
            case IdempotentPublisher.KeyInUseException inUse ->
                new ApiError(
                        409,
                        IDEMPOTENCY_KEY_IN_USE,
                        "a publish with this idempotency key is still in progress; retry shortly to get its result",
                        1);
            case IdempotencyKeys.TooManyKeysException tooMany ->
                new ApiError(429, TOO_MANY_IDEMPOTENCY_KEYS, tooMany.getMessage());
            default -> null;
        };
    }

    /** The fallback route: anything no other route matched. */
    public static void notFound(ServerRequest req, ServerResponse res) {
        send(
                res,
                new ApiError(
                        404,
                        NOT_FOUND,
                        "no route for " + req.prologue().method().text() + " "
                                + req.path().path() + "; the API is described in README.md"));
    }

    /** A 401 (with the {@code WWW-Authenticate} challenge) or 403. */
    public static void send(ServerResponse res, AuthException refusal) {
        if (refusal.status() == 401) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"wirehub\"");
        }
        send(res, new ApiError(refusal.status(), refusal.code(), refusal.getMessage()));
    }

    /** Helidon's message, kept short and free of control characters (it may quote the client's input). */
    private static String clip(String message) {
        String text =
                message == null ? "malformed" : message.length() > 200 ? message.substring(0, 200) + "..." : message;
        return text.replaceAll("\\p{Cntrl}", "?");
    }

    public static void send(ServerResponse res, ApiError error) {
        if (error.retryAfterSeconds() > 0) {
            res.header(HeaderNames.RETRY_AFTER, String.valueOf(error.retryAfterSeconds()));
        }
        res.status(Status.create(error.status()));
        Json.send(
                res,
                "{\"status\":" + error.status() + ",\"error\":\"" + error.code() + "\",\"message\":"
                        + JsonStrings.quote(error.getMessage()) + "}");
    }
}
