package io.wirehub.auth;

import java.util.regex.Pattern;

/**
 * One topic pattern of a token's claims: an exact name ({@code prices.eur}), or a name with
 * {@code *} wildcards, each matching one or more characters, dots included ({@code prices.*}).
 * {@code {sub}} stands for the token's subject, so {@code user.{sub}.*} gives each user their own
 * topics.
 *
 * <p>The invariant: one subject's {@code {sub}} pattern never matches a topic of another
 * subject's. Two rules give it. A subject must be a plain name (1 to 100 of A-Z a-z 0-9 _ : -: no
 * dot, no {@code *}), else its {@code {sub}} patterns match nothing. And a pattern must put
 * {@code {sub}} after a fixed prefix (no {@code *} before it) and right before a dot or the
 * pattern's end, else the token is refused (401). Then the subject in a matching topic is exactly
 * the text between the prefix and the next dot, which no subject can contain: one topic, one
 * subject. A colon or a dash would not do as that separator, since subjects may contain them:
 * with {@code user:{sub}:*}, subject {@code bob} would read {@code user:bob:x:inbox}, subject
 * {@code bob:x}'s.
 */
final class TopicPattern {
    private static final String SUB = "{sub}";
    private static final Pattern PLAIN_SUBJECT = Pattern.compile("[A-Za-z0-9_:-]{1,100}");
    private static final TopicPattern NOTHING = new TopicPattern(null);

    private final Pattern regex; // null: matches nothing

    private TopicPattern(Pattern regex) {
        this.regex = regex;
    }

    /** @throws AuthException 401 for a {@code {sub}} pattern that could reach another subject's topics */
    static TopicPattern compile(String pattern, String subject) {
        String expanded = pattern;
        if (pattern.contains(SUB)) {
            requireSeparated(pattern);
            if (subject == null || !PLAIN_SUBJECT.matcher(subject).matches()) {
                return NOTHING;
            }
            expanded = pattern.replace(SUB, subject);
        }
        StringBuilder regex = new StringBuilder();
        for (String literal : expanded.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".+");
            }
            regex.append(Pattern.quote(literal));
        }
        return new TopicPattern(Pattern.compile(regex.toString(), Pattern.DOTALL));
    }

    private static void requireSeparated(String pattern) {
        boolean starBefore = pattern.substring(0, pattern.indexOf(SUB)).contains("*");
        for (int at = pattern.indexOf(SUB); at >= 0; at = pattern.indexOf(SUB, at + 1)) {
            int after = at + SUB.length();
            if (starBefore || (after < pattern.length() && pattern.charAt(after) != '.')) {
                throw AuthException.unauthorized(
                        "the token's topic pattern '" + pattern + "' is refused: {sub} must come"
                                + " after a fixed prefix (no * before it) and right before a dot or the end, like user.{sub}.*,"
                                + " so that one subject's pattern cannot match another's topics (subjects may contain : and -)");
            }
        }
    }

    boolean matches(String topic) {
        return regex != null && regex.matcher(topic).matches();
    }
}
