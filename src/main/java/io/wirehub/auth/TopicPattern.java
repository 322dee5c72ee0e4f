package io.wirehub.auth;

import java.util.regex.Pattern;

/**
 * One topic pattern of a token's claims: an exact name ({@code prices.eur}), or a name with
 * {@code *} wildcards, each matching one or more characters, dots included ({@code prices.*}).
 * {@code {sub}} stands for the token's subject, so {@code user.{sub}.*} gives each user their own
 * topics.
 *
 * <p>A subject that is not a plain name (1 to 100 of A-Z a-z 0-9 _ : -, so no dot and no
 * {@code *}) makes every {@code {sub}} pattern match nothing: otherwise subject {@code bob.x}
 * would reach user {@code bob}'s topics through {@code user.bob.x.*}, or subject {@code *} every
 * user's.
 */
final class TopicPattern {
    private static final Pattern PLAIN_SUBJECT = Pattern.compile("[A-Za-z0-9_:-]{1,100}");
    private static final TopicPattern NOTHING = new TopicPattern(null);

    private final Pattern regex; // null: matches nothing

    private TopicPattern(Pattern regex) {
        this.regex = regex;
    }

    static TopicPattern compile(String pattern, String subject) {
        String expanded = pattern;
        if (pattern.contains("{sub}")) {
            if (subject == null || !PLAIN_SUBJECT.matcher(subject).matches()) {
                return NOTHING;
            }
            expanded = pattern.replace("{sub}", subject);
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

    boolean matches(String topic) {
        return regex != null && regex.matcher(topic).matches();
    }
}
