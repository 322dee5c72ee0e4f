package io.wirehub.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReplayBudgetTest {

    @Test
    void replaysInProgressTogetherHoldAtMostTheTotalAndGiveItBackWhenWritten() {
        ReplayBudget budget = new ReplayBudget(32L << 20, Duration.ofMillis(50));
        ReplayBudget.Reservation first = budget.reserve(ReplayBudget.STREAM_BYTES);
        ReplayBudget.Reservation second = budget.reserve(ReplayBudget.STREAM_BYTES);
        assertNotNull(first);
        assertNotNull(second);

        assertNull(budget.reserve(1), "a third waits for the others, at most the wait, then gets nothing");

        first.close();
        first.close(); // closing twice gives back once
        assertEquals(16L << 20, budget.available());
        assertNotNull(budget.reserve(ReplayBudget.STREAM_BYTES));
        second.close();
    }

    @Test
    void oneReplayReservesNoMoreThanItsOwnBudget() {
        ReplayBudget budget = new ReplayBudget();
        assertThrows(IllegalArgumentException.class, () -> budget.reserve(ReplayBudget.STREAM_BYTES + 1));
        assertNotNull(budget.reserve(0));
        assertEquals(ReplayBudget.TOTAL_BYTES, budget.available());
    }
}
