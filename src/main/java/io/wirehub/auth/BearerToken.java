package io.wirehub.auth;

import java.util.Locale;

/**
 * Where a request's token is found. {@code Authorization: Bearer <token>} works everywhere. A
 * browser's EventSource cannot set headers, so requests that only read (SSE, the WebSocket
 * upgrade, snapshots) may carry it instead as the {@code access_token} query parameter or in the
 * cookie named by {@code auth.cookie_name}. Publishes take the header only: a cookie rides along
 * on any cross-site form post (CSRF), and a query token lands in access logs.
 */
public final class BearerToken {
    // NOTE: clients put their token here.
    public static final String QUERY_PARAMETER = "access_token";

    private BearerToken() {}

    /**
     * @param authorization the Authorization header, or null
     * @param cookies the Cookie header, or null
     * @param cookieName the cookie to read, or empty for none
     * @param queryToken the {@code access_token} query parameter, or null
     * @return the token, or null when the request carries none
     * @throws AuthException 401 when an Authorization header is there but not a Bearer token
     */
    public static String find(String authorization, String cookies, String cookieName, String queryToken) {
        if (authorization != null) {
            String trimmed = authorization.trim();
            if (trimmed.length() > 7
                    && trimmed.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
                return trimmed.substring(7).trim();
            }
            throw AuthException.unauthorized("the Authorization header must be 'Bearer <token>'");
        }
        if (queryToken != null && !queryToken.isEmpty()) {
            return queryToken;
        }
        return cookieName.isEmpty() || cookies == null ? null : cookie(cookies, cookieName);
    }

    /** For publishes: the Authorization header only (see the class comment). */
    public static String fromHeader(String authorization) {
        return find(authorization, null, "", null);
    }

    private static String cookie(String header, String name) {
        for (String pair : header.split(";", -1)) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
                String value = pair.substring(eq + 1).trim();
                return value.isEmpty() ? null : value;
            }
        }
        return null;
    }
}
