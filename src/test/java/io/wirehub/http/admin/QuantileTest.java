package io.wirehub.http.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QuantileTest {
    private static final long[] BOUNDS = {10, 20, 40};

    @Test
    void theMedianIsInterpolatedInsideItsBucket() {
        // 10 observations in (10, 20]: the median sits halfway through that bucket
        assertEquals(15.0, Quantile.of(BOUNDS, new long[] {0, 10, 0, 0}, 0.5), 1e-9);
    }

    @Test
    void aQuantileAboveTheLastBoundIsReportedAsTheLastBound() {
        assertEquals(40.0, Quantile.of(BOUNDS, new long[] {1, 0, 0, 99}, 0.99), 1e-9);
    }

    @Test
    void theP99FallsInTheBucketOfTheSlowestOnePercent() {
        double p99 = Quantile.of(BOUNDS, new long[] {90, 9, 1, 0}, 0.99);
        assertTrue(p99 > 10 && p99 <= 20, "p99 " + p99);
    }

    @Test
    void noObservationsGiveNoQuantile() {
        assertTrue(Double.isNaN(Quantile.of(BOUNDS, new long[4], 0.5)));
    }
}
