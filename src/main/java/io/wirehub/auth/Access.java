package io.wirehub.auth;

import io.wirehub.config.Settings;
import io.wirehub.schedule.Scheduler;

/**
 * Who may do what: turns a request's token into a {@link Grant}. With {@code auth.mode: none}
 * every request gets {@link Grant#ANYONE} (the embedded demo); with {@code jwt} a request without
 * a valid token is refused (401).
 */
public final class Access implements AutoCloseable {
    private final JwtVerifier verifier; // null: mode none
    private final String cookieName;

    private Access(JwtVerifier verifier, String cookieName) {
        this.verifier = verifier;
        this.cookieName = cookieName;
    }

    /**
     * Keys from a file are watched from now on ({@code auth.jwt.key_file_check}), a task on
     * {@code scheduler}, until {@link #close()}.
     *
     * @throws io.wirehub.config.InvalidSettingsException when a key file cannot be read
     */
    public static Access create(Settings.Auth auth, Scheduler scheduler) {
        return new Access(auth.jwt() ? new JwtVerifier(auth, scheduler) : null, auth.cookieName());
    }

    /** Everything permitted: for tests and the demo. */
    public static Access open() {
        return new Access(null, "");
    }

    public boolean required() {
        return verifier != null;
    }

    /** The cookie a browser may carry its token in; empty when cookies are not read. */
    public String cookieName() {
        return cookieName;
    }

    /**
     * @param token the request's token ({@link BearerToken}), or null
     * @throws AuthException 401 when a token is required and missing or not valid
     */
    public Grant grant(String token) {
        if (verifier == null) {
            return Grant.ANYONE;
        }
        if (token == null) {
            throw AuthException.unauthorized("this server needs a token: send 'Authorization: Bearer <JWT>'"
                    + " (EventSource: the access_token query parameter"
                    + (cookieName.isEmpty() ? "" : " or the " + cookieName + " cookie")
                    + ")");
        }
        return verifier.verify(token);
    }

    /** Stops watching the key file, if any. */
    @Override
    public void close() {
        if (verifier != null) {
            verifier.close();
        }
    }
}
