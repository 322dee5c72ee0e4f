package io.wirehub.event;

/**
 * Tells a stream that it cannot get some events of a topic and must re-hydrate: fetch the
 * snapshot, then apply live events with a seq above the snapshot's. The stream continues after
 * {@code seq}.
 *
 */
public record Reset(String topic, long seq, ResetReason reason) {

    public String snapshotPath() {
        return "/v1/topics/" + topic + "/snapshot";
    }

    /** The notice as a JSON object (the SSE {@code data:} of a {@code reset} event). */
    public String json() {
        return "{\"topic\":\"" + topic + "\",\"seq\":" + seq + ",\"reason\":\"" + reason.code() + "\",\"snapshot\":\""
                + snapshotPath() + "\"}";
    }

    /** The WebSocket form: the same fields with {@code "op":"reset"} and the stream's cursor. */
    public String wsJson(String cursorToken) {
        return "{\"op\":\"reset\",\"topic\":\"" + topic + "\",\"seq\":" + seq + ",\"id\":"
                + JsonStrings.quote(cursorToken) + ",\"reason\":\"" + reason.code() + "\",\"snapshot\":\""
                + snapshotPath() + "\"}";
    }
}
