package io.wirehub.http;

/**
 * How long a request line and its headers may be: long enough that every cursor the server hands
 * out comes back, for the largest stream the limits allow; no longer, since a client can make the
 * server buffer this much per connection before it is authenticated.
 *
 * <p>A WebSocket resumes only through its URL ({@code /v1/ws?topic=..&lastEventId=..}), and its
 * cursor names every topic it follows, so the request line grows with the topics twice: once in
 * the {@code topic} parameters, once in the cursor. Worst case per topic, percent-encoded as a
 * browser's {@code encodeURIComponent} does ({@code :} and {@code ,} become three bytes each):
 * <ul>
 *   <li>{@code topic=} + 200 characters, each of them {@code :} ({@value #TOPIC_CHARS} &times; 3) + {@code &}: 607;
 *   <li>in the cursor: the topic again (600) + {@code %3A} + an 18-digit seq (the most the parser
 *       reads) + {@code %2C}: 624.
 * </ul>
 * Plus a fixed part: the method, path and version, {@code lastEventId=}, a 32-character epoch,
 * an {@code access_token} of up to 8,192 characters (the longest token accepted) and room for a
 * few more parameters: {@value #FIXED_PROLOGUE_BYTES}. At the default 64 topics that is 88,000
 * bytes; at the cap of {@value #MAX_TOPICS_PER_STREAM} topics, 324,352.
 *
 * <p>SSE sends its cursor in the {@code Last-Event-ID} header, not encoded: 200 + 1 + 18 + 1 = 220
 * bytes per topic on top of Helidon's default 16 KiB for every other header.
 */
public final class RequestHeadLimits {
    // NOTE: the documented cap of server.max_topics_per_stream (docs/configuration.md, security.md):
    // past it the request line that resumes a WebSocket would pass 317 KiB.
    public static final int MAX_TOPICS_PER_STREAM = 256;
    static final int TOPIC_CHARS = 200;
    static final int URL_BYTES_PER_TOPIC = 607 + 624;
    static final int FIXED_PROLOGUE_BYTES = 9 * 1024;
    static final int HEADER_BYTES_PER_TOPIC = 220;
    static final int OTHER_HEADER_BYTES = 16 * 1024 + 64; // Helidon's default, plus the epoch and `Last-Event-ID: `

    private RequestHeadLimits() {}

    /** Helidon's {@code max-prologue-length}: the request line, in bytes. */
    public static int prologueBytes(int maxTopicsPerStream) {
        return FIXED_PROLOGUE_BYTES + maxTopicsPerStream * URL_BYTES_PER_TOPIC;
    }

    /** Helidon's {@code max-headers-size}, in bytes. */
    public static int headerBytes(int maxTopicsPerStream) {
        return OTHER_HEADER_BYTES + maxTopicsPerStream * HEADER_BYTES_PER_TOPIC;
    }
}
