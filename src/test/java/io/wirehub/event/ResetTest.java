package io.wirehub.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ResetTest {
    @Test
    void resetNoticeNamesTheSnapshot() {
        Reset reset = new Reset("prices", 42, ResetReason.REPLAY_LIMIT);
        assertEquals(
                "{\"topic\":\"prices\",\"seq\":42,\"reason\":\"replay_limit\",\"snapshot\":\"/v1/topics/prices/snapshot\"}",
                reset.json());
    }
}
