package io.wirehub.event;

/** Why a stream was told to re-hydrate ({@link Reset}). */
public enum ResetReason {
    // NOTE: clients branch on these codes.
    /** The client missed more than {@code store.replay_limit} events. */
    REPLAY_LIMIT("replay_limit"),
    /** The missed events are no longer stored. */
    RETENTION("retention"),
    /** The client's cursor is ahead of the topic, or from another store (epoch). */
    UNKNOWN_CURSOR("unknown_cursor"),
    /**
     * The stream stayed behind the live events longer than {@code server.max_lag}: it was moved to
     * the present rather than kept catching up while its delay grows.
     */
    LAG_LIMIT("lag_limit");

    private final String code;

    ResetReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
