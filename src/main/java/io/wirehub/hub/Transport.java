package io.wirehub.hub;

/** How a stream reaches its client; each has its own queue size and its own live gauge. */
public enum Transport {
    // NOTE: the codes appear in /v1/stats and in thread names (sse-<id>, ws-<id>).
    SSE("sse"),
    WS("ws");

    private final String code;

    Transport(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
