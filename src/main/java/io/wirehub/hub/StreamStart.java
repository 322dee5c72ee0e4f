package io.wirehub.hub;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a new stream starts, as its client asked.
 *
 * @param topics the topics it follows from the start
 * @param resumeFrom positions the client sent back (Last-Event-ID); topics absent from it start
 *     after their latest event
 * @param unknownCursors topics whose position came with another store's epoch: they start after
 *     their latest event, with a reset ({@code unknown_cursor})
 */
record StreamStart(List<String> topics, Map<String, Long> resumeFrom, Set<String> unknownCursors) {
    StreamStart {
        topics = List.copyOf(topics);
        resumeFrom = Map.copyOf(resumeFrom);
        unknownCursors = Set.copyOf(unknownCursors);
    }

    boolean resumes() {
        return !resumeFrom.isEmpty() || !unknownCursors.isEmpty();
    }
}
