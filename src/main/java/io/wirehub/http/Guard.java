package io.wirehub.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.http.Filter;
import io.wirehub.auth.Access;
import io.wirehub.auth.BearerToken;
import io.wirehub.auth.Grant;
import java.util.function.Predicate;

/**
 * Auth at the HTTP edge: finds a request's token where its kind of request may carry it
 * ({@link BearerToken}) and turns it into a {@link Grant} ({@link Access}). Refusals are
 * {@link io.wirehub.auth.AuthException}s, which {@link ErrorResponses} renders as 401/403 JSON.
 */
public final class Guard {
    private final Access access;

    public Guard(Access access) {
        this.access = access;
    }

    /** For requests that read (streams, snapshots): header, query parameter or cookie. */
    public Grant reader(HttpPrologue prologue, Headers headers) {
        if (!access.required()) {
            return Grant.ANYONE;
        }
        return access.grant(BearerToken.find(
                headers.first(HeaderNames.AUTHORIZATION).orElse(null),
                headers.first(HeaderNames.COOKIE).orElse(null),
                access.cookieName(),
                prologue.query().first(BearerToken.QUERY_PARAMETER).orElse(null)));
    }

    /** Whether {@link #reader} takes this request's token from its cookie (no header, no access_token parameter). */
    public boolean tokenFromCookie(HttpPrologue prologue, Headers headers) {
        return access.required()
                && !access.cookieName().isEmpty()
                && !headers.contains(HeaderNames.AUTHORIZATION)
                && prologue.query()
                        .first(BearerToken.QUERY_PARAMETER)
                        .orElse("")
                        .isEmpty();
    }

    /** For publishes: the Authorization header only. */
    public Grant publisher(Headers headers) {
        if (!access.required()) {
            return Grant.ANYONE;
        }
        return access.grant(
                BearerToken.fromHeader(headers.first(HeaderNames.AUTHORIZATION).orElse(null)));
    }

    /**
     * Lets only tokens with {@code wirehub.admin: true} reach the operator's endpoints. The
     * dashboard's scripts and styles ({@code /dashboard/<file>}) need no token: they are the same
     * files for everyone and hold no data, and a browser fetches them without the page's
     * {@code ?access_token=}. The page and its stats stream do need one.
     *
     * @param operatorPath whether a request's path is one of the operator's endpoints (the routing's list)
     */
    public Filter adminFilter(Predicate<String> operatorPath) {
        return (chain, req, res) -> {
            if (access.required() && operatorPath.test(req.path().path())) {
                reader(req.prologue(), req.headers()).requireAdmin();
            }
            chain.proceed();
        };
    }
}
