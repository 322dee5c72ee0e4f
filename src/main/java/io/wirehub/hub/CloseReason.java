package io.wirehub.hub;

/** Why a subscriber's session ended. Counted per reason in the stats. */
public enum CloseReason {
    // NOTE: the codes appear in /v1/stats; dashboards depend on them.
    CLIENT_GONE("client_gone"),
    CLIENT_CLOSED("client_closed"),
    WRITE_TIMEOUT("write_timeout"),
    PONG_TIMEOUT("pong_timeout"),
    OVERFLOW("overflow"),
    /** A WebSocket client sent more subscribe/unsubscribe messages than its stream could apply. */
    SUBSCRIPTION_FLOOD("subscription_flood"),
    STORE_UNAVAILABLE("store_unavailable"),
    /** The token the stream was opened with expired: the client reconnects with a fresh one. */
    TOKEN_EXPIRED("token_expired"),
    SHUTDOWN("shutdown"),
    ERROR("error");

    private final String code;

    CloseReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
