package io.wirehub.event;

import java.util.regex.Pattern;

/**
 * The allowed topic and event names.
 *
 * <p>Both end up inside SSE lines and URLs, so they exclude CR, LF, NUL and anything that would
 * need escaping: a CR/LF in an {@code event:} line would let a publisher inject frames into every
 * subscriber's stream. The comma is excluded from topics because it separates them in a cursor.
 */
public final class Names {
    // NOTE: clients depend on these sets; widening is safe, narrowing breaks them.
    public static final String TOPIC_RULE = "1 to 200 characters from A-Z a-z 0-9 . _ : -";
    public static final String EVENT_RULE = "1 to 100 characters from A-Z a-z 0-9 . _ : -";

    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._:-]{1,200}");
    private static final Pattern EVENT = Pattern.compile("[A-Za-z0-9._:-]{1,100}");

    private Names() {}

    public static boolean isValidTopic(String topic) {
        return topic != null && TOPIC.matcher(topic).matches();
    }

    public static boolean isValidEventName(String name) {
        return name != null && EVENT.matcher(name).matches();
    }
}
