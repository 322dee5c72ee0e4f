package io.wirehub.hub;

/**
 * Where a stream is in its life: the one value that says whether it is in the hub, whether the
 * client saw it open, whether its open deadline runs, and whether (and why) it closed.
 *
 * <pre>
 *   NEW ──position()──▶ POSITIONED ──upgradeCompleted(), run()──▶ RUNNING ──opened()──▶ OPEN
 *    └─────────── run(): positions on its drain thread (SSE) ──────────▲
 *
 *   NEW | POSITIONED | RUNNING | OPEN ──close(reason): the first call, any thread──▶ CLOSING(reason)
 *   CLOSING(reason) ──finish(): the drain loop's final write ended──▶ FINISHED(reason)
 * </pre>
 *
 * <ul>
 *   <li>NEW: created; {@code position()} joins the hub and takes the position in each topic.
 *   <li>POSITIONED: in the hub at its position, with no thread of its own yet (a WebSocket between
 *       its {@code 101} and onOpen): the open deadline runs ({@link StreamDeadlines}).
 *   <li>RUNNING: the transport gave it its thread; its drain loop writes the opening next. A
 *       WebSocket is RUNNING from its onOpen, however long its drain thread then waits for a
 *       carrier: on a saturated machine that wait passed the open deadline when a thousand
 *       WebSockets opened at once, and the ticker closed live streams.
 *   <li>OPEN: the client saw it open; it counts in the live gauge.
 *   <li>CLOSING: out of the hub and the live gauge; its drain loop, if it ever ran, ends and writes
 *       the final frame under the ticker's write deadline.
 *   <li>FINISHED: its drain loop has ended; nothing of it is left anywhere.
 * </ul>
 *
 * <p>Every change is one compare-and-set on {@link Subscriber}'s one state field, so each
 * transition happens once whichever threads race for it: the open is counted in the live gauge
 * only by the RUNNING→OPEN that won, and taken back only by the close that left OPEN. The values
 * are interned (one per phase, one per phase and reason; the constructor is private), which is what
 * that compare-and-set compares, and a transition allocates nothing.
 */
@SuppressWarnings("EnumOrdinal") // arrays indexed by CloseReason, built from its values(): no order assumed
final class StreamState {
    private enum Phase {
        NEW,
        POSITIONED,
        RUNNING,
        OPEN,
        CLOSING,
        FINISHED
    }

    static final StreamState NEW = new StreamState(Phase.NEW, null);
    static final StreamState POSITIONED = new StreamState(Phase.POSITIONED, null);
    static final StreamState RUNNING = new StreamState(Phase.RUNNING, null);
    static final StreamState OPEN = new StreamState(Phase.OPEN, null);
    private static final StreamState[] CLOSING = byReason(Phase.CLOSING);
    private static final StreamState[] FINISHED = byReason(Phase.FINISHED);

    private final Phase phase;
    private final CloseReason reason; // null until CLOSING

    private StreamState(Phase phase, CloseReason reason) {
        this.phase = phase;
        this.reason = reason;
    }

    static StreamState closing(CloseReason reason) {
        return CLOSING[reason.ordinal()];
    }

    /** The end of this closing stream's drain loop. */
    StreamState finished() {
        return FINISHED[reason.ordinal()];
    }

    /** Why it closed, or null while it has not. */
    CloseReason reason() {
        return reason;
    }

    boolean closed() {
        return reason != null;
    }

    @Override
    public String toString() {
        return reason == null ? phase.name() : phase + "(" + reason.code() + ")";
    }

    private static StreamState[] byReason(Phase phase) {
        CloseReason[] reasons = CloseReason.values();
        StreamState[] states = new StreamState[reasons.length];
        for (CloseReason reason : reasons) {
            states[reason.ordinal()] = new StreamState(phase, reason);
        }
        return states;
    }
}
