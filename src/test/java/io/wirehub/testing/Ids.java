package io.wirehub.testing;

/** Reads the cursor tokens wirehub writes as SSE ids and WebSocket "id" fields: {@code <epoch>~<positions>}. */
public final class Ids {
    private Ids() {}

    /** The positions part: {@code 17} or {@code a:4,b:17}, without the store's epoch. */
    public static String position(String id) {
        return id.substring(id.indexOf('~') + 1);
    }

    /** The seq of a single-topic id. */
    public static long seq(String id) {
        return Long.parseLong(position(id));
    }

    /** The store epoch the id names, or "" when it names none. */
    public static String epoch(String id) {
        int tilde = id.indexOf('~');
        return tilde < 0 ? "" : id.substring(0, tilde);
    }
}
