package io.wirehub.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import java.nio.charset.StandardCharsets;

/**
 * Requests Helidon cannot parse, answered {@code 400 malformed_request} in the one JSON shape.
 *
 * <p>Helidon 4.2.3 reports some malformed request heads as internal errors, a 500: a header name
 * with an illegal character, a head cut short by the client's close (found by
 * HostileInputFuzzIT). Its direct handler only learns "internal error", not the cause; but an
 * internal error before routing is a failure to read the request (our own faults happen inside
 * routing and are answered there, see {@link ErrorResponses}), so it becomes a 400. With this
 * handler in place Helidon no longer logs a stack trace per such request, so hostile input cannot
 * flood the log.
 */
public final class MalformedRequests implements DirectHandler {
    // NOTE: clients may branch on this code.
    static final String MALFORMED_REQUEST = "malformed_request";
    private static final DirectHandler DEFAULT = DirectHandler.defaultHandler();
    private static final byte[] BODY = ("{\"status\":400,\"error\":\"" + MALFORMED_REQUEST
                    + "\",\"message\":\"the request line or headers cannot be read as HTTP/1.1\"}\n") // a newline ends
            // it, as every
            // JSON response
            // (Json)
            .getBytes(StandardCharsets.UTF_8);

    private MalformedRequests() {}

    /** Helidon's direct handlers with this one for internal errors. */
    public static DirectHandlers handlers() {
        return DirectHandlers.builder()
                .addHandler(EventType.INTERNAL_ERROR, new MalformedRequests())
                .build();
    }

    @Override
    public TransportResponse handle(
            TransportRequest request,
            EventType eventType,
            Status defaultStatus,
            ServerResponseHeaders headers,
            String message) {
        if (eventType != EventType.INTERNAL_ERROR) {
            return DEFAULT.handle(request, eventType, defaultStatus, headers, message);
        }
        return TransportResponse.builder()
                .status(Status.BAD_REQUEST_400)
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                .keepAlive(false)
                .entity(BODY)
                .build();
    }
}
