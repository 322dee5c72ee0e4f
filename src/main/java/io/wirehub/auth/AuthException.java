package io.wirehub.auth;

/**
 * A request refused by auth: {@code 401} when no valid token came (missing, malformed, expired,
 * badly signed), {@code 403} when the token is valid but does not permit what was asked. The
 * message tells the client what to do; it never repeats the token or any key.
 */
public final class AuthException extends RuntimeException {
    // NOTE: clients branch on these codes.
    public static final String UNAUTHORIZED = "unauthorized";
    public static final String FORBIDDEN = "forbidden";

    private final int status;
    private final String code;

    private AuthException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public static AuthException unauthorized(String message) {
        return new AuthException(401, UNAUTHORIZED, message);
    }

    public static AuthException forbidden(String message) {
        return new AuthException(403, FORBIDDEN, message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
