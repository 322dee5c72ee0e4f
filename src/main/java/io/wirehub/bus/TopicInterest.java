package io.wirehub.bus;

import java.util.function.Consumer;

/**
 * What the hub tells a bus about the topics it follows, so a bus that routes by interest
 * subscribes only to what this instance needs.
 *
 * <p>Called by the hub while it changes a topic's entry, so calls for one topic come in order
 * (follow, unfollow, follow ...). Both must return at once and never touch the network: the hub
 * holds its map's lock, and a subscriber waits to be positioned.
 */
public interface TopicInterest {

    /** No interest tracking: the bus receives every topic (the local bus, one Redis channel). */
    TopicInterest NONE = new TopicInterest() {
        @Override
        public void follow(String topic) {}

        @Override
        public void unfollow(String topic) {}
    };

    /** The first subscriber of the topic here arrived. */
    void follow(String topic);

    /** The last subscriber of the topic here left. */
    void unfollow(String topic);

    /** Interest reported by two calls, e.g. a method reference each. */
    static TopicInterest of(Consumer<String> follow, Consumer<String> unfollow) {
        return new TopicInterest() {
            @Override
            public void follow(String topic) {
                follow.accept(topic);
            }

            @Override
            public void unfollow(String topic) {
                unfollow.accept(topic);
            }
        };
    }

    /** This one told first, then {@code other}: the hub reports to one listener. */
    default TopicInterest and(TopicInterest other) {
        return of(
                topic -> {
                    follow(topic);
                    other.follow(topic);
                },
                topic -> {
                    unfollow(topic);
                    other.unfollow(topic);
                });
    }
}
