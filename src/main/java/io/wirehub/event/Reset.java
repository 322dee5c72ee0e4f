package io.wirehub.event;

/**
 * Tells a stream that it cannot get some events of a topic and must re-hydrate: fetch the
 * snapshot, then apply live events with a seq above the snapshot's. The stream continues after
 * {@code seq}.
 *
 * @param reason {@link #REPLAY_LIMIT}, {@link #RETENTION} or {@link #UNKNOWN_CURSOR}
 */
public record Reset(String topic, long seq, String reason) {
    // NOTE: clients branch on these reason codes.
    /** The client missed more than {@code store.replay_limit} events. */
    public static final String REPLAY_LIMIT = "replay_limit";
    /** The missed events are no longer stored. */
    public static final String RETENTION = "retention";
    /** The client's cursor is ahead of the topic (the store was reset or the id is from elsewhere). */
    public static final String UNKNOWN_CURSOR = "unknown_cursor";

    public String snapshotPath() {
        return "/v1/topics/" + topic + "/snapshot";
    }

    /** The notice as a JSON object (the SSE {@code data:} of a {@code reset} event). */
    public String json() {
        return "{\"topic\":\"" + topic + "\",\"seq\":" + seq + ",\"reason\":\"" + reason
                + "\",\"snapshot\":\"" + snapshotPath() + "\"}";
    }

    /** The WebSocket form: the same fields with {@code "op":"reset"} and the stream's cursor. */
    public String wsJson(String cursorToken) {
        return "{\"op\":\"reset\",\"topic\":\"" + topic + "\",\"seq\":" + seq + ",\"id\":"
                + JsonStrings.quote(cursorToken) + ",\"reason\":\"" + reason + "\",\"snapshot\":\""
                + snapshotPath() + "\"}";
    }
}
