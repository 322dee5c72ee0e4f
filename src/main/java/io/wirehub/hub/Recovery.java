package io.wirehub.hub;

/** Why a stream wrote events read from the store rather than from its queue. */
public enum Recovery {
    // NOTE: the codes are metric label values (wirehub_store_recovered_events_total{path}).
    /** A reconnecting client's replay after its Last-Event-ID. */
    REPLAY("replay"),
    /** A stream whose queue overflowed, reading what it missed. */
    CATCH_UP("catch_up"),
    /** A seq jump in the stream's own queue, filled before the later event. */
    GAP("gap");

    private final String code;

    Recovery(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
