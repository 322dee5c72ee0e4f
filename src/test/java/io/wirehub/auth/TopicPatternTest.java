package io.wirehub.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
