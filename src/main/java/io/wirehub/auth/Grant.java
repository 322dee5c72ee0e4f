package io.wirehub.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What one verified token permits: the topics its holder may subscribe to (live, replay and
 * snapshot alike) and publish to, whether it may use the admin endpoints, and until when.
 *
 * @param subject the token's {@code sub}, for logs; null for {@link #ANYONE}
 * @param expiresAt when the token stops being accepted, its {@code exp} plus the clock skew (a
 *     stream opened with it is closed then); null: never
 */
public record Grant(
        String subject, List<TopicPattern> subscribe, List<TopicPattern> publish, boolean admin, Instant expiresAt) {
    /** auth.mode none: everything is permitted, for ever. */
    public static final Grant ANYONE = new Grant(
            null, List.of(TopicPattern.compile("*", null)), List.of(TopicPattern.compile("*", null)), true, null);

    /** How long a stream opened now with this token may last; null: no end. */
    public Duration lifetime(Instant now) {
        return expiresAt == null ? null : now.isAfter(expiresAt) ? Duration.ZERO : Duration.between(now, expiresAt);
    }

    public boolean maySubscribe(String topic) {
        return anyMatches(subscribe, topic);
    }

    public boolean mayPublish(String topic) {
        return anyMatches(publish, topic);
    }

    /** @throws AuthException 403 naming the first topic the token may not subscribe to */
    public void requireSubscribe(Iterable<String> topics) {
        for (String topic : topics) {
            if (!maySubscribe(topic)) {
                throw AuthException.forbidden("the token does not permit subscribing to topic '" + topic
                        + "'; its wirehub.subscribe claim must match it");
            }
        }
    }

    /** @throws AuthException 403 naming the first topic the token may not publish to */
    public void requirePublish(Iterable<String> topics) {
        for (String topic : topics) {
            if (!mayPublish(topic)) {
                throw AuthException.forbidden("the token does not permit publishing to topic '" + topic
                        + "'; its wirehub.publish claim must match it; nothing was stored");
            }
        }
    }

    /** @throws AuthException 403 unless the token carries {@code wirehub.admin: true} */
    public void requireAdmin() {
        if (!admin) {
            throw AuthException.forbidden("this endpoint needs a token with \"wirehub.admin\": true");
        }
    }

    private static boolean anyMatches(List<TopicPattern> patterns, String topic) {
        for (TopicPattern pattern : patterns) {
            if (pattern.matches(topic)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "Grant[subject=" + subject + ", admin=" + admin + ", expiresAt=" + expiresAt + "]";
    }
}
