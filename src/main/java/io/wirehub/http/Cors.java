package io.wirehub.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import java.util.List;
import java.util.Optional;

/**
 * CORS for browsers on other origins ({@code server.cors.allowed_origins}): a listed
 * {@code Origin} gets it echoed in {@code Access-Control-Allow-Origin} (with credentials when
 * tokens may come in a cookie), any other gets {@code *} when the list is {@code *} (never with
 * credentials: that combination is refused at start, see SettingsLoader), and a preflight ({@code OPTIONS} with
 * {@code Access-Control-Request-Method}) gets 204 with the methods and headers the API takes. An
 * origin not on the list gets no CORS header, so the browser keeps the response from its page.
 * EventSource and WebSocket ignore CORS; a WebSocket upgrade from an origin not on the list is
 * refused instead ({@link #allows}), so a page elsewhere cannot ride a user's cookie
 * (cross-site WebSocket hijacking). With {@code *} every origin may open one, which is safe only
 * because no cookie is read then: a foreign page has no token to send.
 */
public final class Cors {
    // NOTE: the request headers browsers may send: the token, the body type, the retry key, the cursor.
    private static final String ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key, Last-Event-ID";
    private static final String EXPOSED_HEADERS = "Retry-After, Idempotent-Replayed, WWW-Authenticate";

    private final List<String> origins; // "*" alone: any origin
    private final boolean credentials;

    /**
     * @param origins allowed origins ({@code https://app.example.com}), or {@code *}; empty: CORS off
     * @param credentials whether browsers may send cookies (auth.cookie_name is set)
     */
    public Cors(List<String> origins, boolean credentials) {
        if (credentials && origins.contains("*")) {
            throw new IllegalArgumentException(
                    "CORS '*' with cookies would let any site act as the user; SettingsLoader refuses it");
        }
        this.origins = List.copyOf(origins);
        this.credentials = credentials;
    }

    /**
     * Whether a request from this Origin may go on: any when no list is set (null: not from a
     * browser page).
     */
    public boolean allows(String origin) {
        return origins.isEmpty() || origin == null || origins.contains("*") || origins.contains(origin);
    }

    /** Whether only listed origins may call (and open WebSockets): a foreign page cannot ride a cookie. */
    public boolean restrictsOrigins() {
        return !origins.isEmpty() && !origins.contains("*");
    }

    public Filter filter() {
        return (chain, req, res) -> {
            Optional<String> origin = req.headers().first(HeaderNames.ORIGIN);
            if (origins.isEmpty() || origin.isEmpty() || !allows(origin.get())) {
                chain.proceed();
                return;
            }
            // Credentials only for an origin listed by name: "*" with a cookie is refused at start
            // (SettingsLoader), and is never answered with credentials here either.
            boolean named = origins.contains(origin.get());
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, named ? origin.get() : "*");
            res.header(HeaderValues.create(HeaderNames.VARY, "Origin"));
            if (credentials && named) {
                res.header(HeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
            }
            if (Method.OPTIONS.equals(req.prologue().method())
                    && req.headers().contains(HeaderNames.ACCESS_CONTROL_REQUEST_METHOD)) {
                res.header(HeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, OPTIONS");
                res.header(HeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS);
                res.header(HeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
                res.status(Status.NO_CONTENT_204).send();
                return;
            }
            res.header(HeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED_HEADERS);
            chain.proceed();
        };
    }
}
