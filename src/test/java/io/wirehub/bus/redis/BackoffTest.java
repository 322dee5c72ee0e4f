package io.wirehub.bus.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void delaysDoubleUpToTheCapWithinTheirJitterBand() {
        List<Long> lowest = delays(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), () -> 0.0));
        List<Long> highest = delays(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), () -> 0.999999));

        assertEquals(List.of(50L, 100L, 200L, 400L, 800L, 1600L, 2500L, 2500L), lowest);
        assertEquals(List.of(100L, 200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L), highest);
    }

    @Test
    void resetStartsOverFromTheFirstDelay() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), () -> 0.999999);
        delays(backoff);
        backoff.reset();
        assertEquals(Duration.ofMillis(100), backoff.next());
    }

    private static List<Long> delays(Backoff backoff) {
        return Stream.generate(backoff::next).limit(8).map(Duration::toMillis).toList();
    }
}
