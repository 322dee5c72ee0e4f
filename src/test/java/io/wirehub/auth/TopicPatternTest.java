package io.wirehub.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TopicPatternTest {

    @Test
    void anExactNameMatchesOnlyItself() {
        TopicPattern pattern = TopicPattern.compile("prices.eur", "u1");
        assertTrue(pattern.matches("prices.eur"));
        assertFalse(pattern.matches("prices.eurx"));
        assertFalse(pattern.matches("prices_eur"), "the dot is literal, not a regex wildcard");
    }

    @Test
    void aStarMatchesOneOrMoreCharactersDotsIncluded() {
        TopicPattern pattern = TopicPattern.compile("prices.*", "u1");
        assertTrue(pattern.matches("prices.eur"));
        assertTrue(pattern.matches("prices.eu.gbp"));
        assertFalse(pattern.matches("prices."));
        assertFalse(pattern.matches("prices"));
        assertFalse(pattern.matches("news.prices.eur"));
        assertTrue(TopicPattern.compile("*", null).matches("anything:at-all"));
    }

    @Test
    void subBecomesTheTokensSubject() {
        TopicPattern pattern = TopicPattern.compile("user.{sub}.*", "bob");
        assertTrue(pattern.matches("user.bob.inbox"));
        assertFalse(pattern.matches("user.alice.inbox"));
    }

    @Test
    void aSubjectThatIsNotAPlainNameGetsNoPrivateTopics() {
        // "bob.x" would otherwise reach into user.bob.*, "*" into everyone's, ".+" would be a regex
        assertFalse(TopicPattern.compile("user.{sub}.*", "*").matches("user.alice.inbox"));
        assertFalse(TopicPattern.compile("user.{sub}.*", "bob.x").matches("user.bob.x.inbox"));
        assertFalse(TopicPattern.compile("user.{sub}", ".+").matches("user.alice"));
        assertFalse(TopicPattern.compile("user.{sub}", null).matches("user.null"));
    }

    @Test
    void aSubFollowedByASeparatorASubjectMayContainIsRefusedSoBobCannotReadBobXsTopics() {
        // with "user:{sub}:*", bob's "user:bob:*" would match "user:bob:x:inbox", subject bob:x's
        for (String unsafe : List.of(
                "user:{sub}:*",
                "user-{sub}-inbox",
                "user.{sub}*",
                "user.{sub}{sub}",
                "*.{sub}.inbox",
                "user.{sub}.x.{sub}:y")) {
            AuthException refused =
                    assertThrows(AuthException.class, () -> TopicPattern.compile(unsafe, "bob"), unsafe);
            assertEquals(401, refused.status());
            assertTrue(refused.getMessage().contains("'" + unsafe + "'"), refused.getMessage());
        }
        assertThrows(AuthException.class, () -> TopicPattern.compile("user:{sub}:*", "bob:x"), "whoever the subject");
    }

    @Test
    void aSubBeforeADotOrTheEndMatchesExactlyOneSubjectsTopics() {
        List<String> subjects = List.of("bob", "bob:x", "bob-x", "x:bob", "b", "bo");
        List<String> topics = List.of(
                "user.bob.inbox",
                "user.bob:x.inbox",
                "user.bob-x.inbox",
                "user.x:bob.inbox",
                "user.b.ob.x",
                "userbob.x",
                "user.bob",
                "user.bob:x",
                "u.bob.inbox.bob");
        for (String pattern : List.of("user.{sub}.*", "user.{sub}", "user{sub}.*", "u.{sub}.inbox.{sub}")) {
            for (String topic : topics) {
                long owners = subjects.stream()
                        .filter(subject ->
                                TopicPattern.compile(pattern, subject).matches(topic))
                        .count();
                assertTrue(owners <= 1, pattern + " lets " + owners + " subjects read " + topic);
            }
        }
        assertTrue(
                TopicPattern.compile("user.{sub}.*", "bob:x").matches("user.bob:x.inbox"),
                "colons stay legal in subjects");
        assertFalse(TopicPattern.compile("user.{sub}.*", "bob").matches("user.bob:x.inbox"));
        assertTrue(
                TopicPattern.compile("*.public", "bob").matches("user.bob.public"),
                "a * without {sub} is not restricted");
    }
}
