package io.wirehub.config;

import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The known name an unknown one was probably meant to be, for "did you mean ...?" hints. A
 * suggestion is offered only when it is close: a few letters off (at most a third of the name, at
 * least 2), or every word of the unknown name is in it ({@code WH_HEARTBEAT} for
 * {@code WH_HEARTBEAT_INTERVAL}, {@code server.sse_buffer} for {@code server.sse_channel_buffer}).
 * A far-fetched guess would send the operator after the wrong setting.
 */
final class NearestName {
    private NearestName() {}

    static Optional<String> to(String unknown, Collection<String> known) {
        String name = unknown.toLowerCase(Locale.ROOT);
        return known.stream()
                .filter(candidate -> close(name, candidate.toLowerCase(Locale.ROOT)))
                // One that holds every word of the name first: "sse_buffer" is nearer sse_channel_buffer
                // than socket_send_buffer, though as many letters from each.
                .min(Comparator.comparing(
                                (String candidate) -> !holdsEveryWord(name, candidate.toLowerCase(Locale.ROOT)))
                        .thenComparingInt(candidate -> distance(name, candidate.toLowerCase(Locale.ROOT)))
                        .thenComparing(Comparator.naturalOrder()));
    }

    private static boolean close(String unknown, String candidate) {
        int longer = Math.max(unknown.length(), candidate.length());
        return distance(unknown, candidate) <= Math.max(2, longer / 3) || holdsEveryWord(unknown, candidate);
    }

    private static boolean holdsEveryWord(String unknown, String candidate) {
        Set<String> words = words(unknown);
        return words.size() > 1 && words(candidate).containsAll(words);
    }

    private static Set<String> words(String name) {
        return Set.copyOf(Arrays.asList(name.split("[._]+")));
    }

    /** Levenshtein: the fewest insertions, deletions and substitutions from one to the other. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
