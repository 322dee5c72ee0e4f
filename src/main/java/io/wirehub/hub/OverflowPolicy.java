package io.wirehub.hub;

/** What happens to a subscriber whose queue is full when an event arrives for it. */
public enum OverflowPolicy {
    /** Keep the connection; the subscriber reads what it missed from the store, then resumes live. */
    CATCH_UP,
    /** Close the connection; the client reconnects with its Last-Event-ID and replays. */
    DISCONNECT
}
