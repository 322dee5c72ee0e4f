package io.wirehub.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import io.wirehub.hub.Distribution;

/**
 * Exposes one of the hub's {@link Distribution}s as a Prometheus histogram. The hub keeps its
 * own buckets (it may not depend on a metrics library), so /metrics, /v1/stats and the dashboard
 * read the same counts.
 */
final class DistributionCollector implements Collector {
    private final String name;
    private final String help;
    private final Unit unit; // null: a plain count
    private final double scale; // divides the hub's raw values (nanoseconds to seconds)
    private final Distribution distribution;
    private final double[] upperBounds;

    DistributionCollector(String name, String help, Unit unit, double scale, Distribution distribution) {
        this.name = name;
        this.help = help;
        this.unit = unit;
        this.scale = scale;
        this.distribution = distribution;
        long[] bounds = distribution.bounds();
        this.upperBounds = new double[bounds.length + 1];
        for (int i = 0; i < bounds.length; i++) {
            upperBounds[i] = bounds[i] / scale;
        }
        upperBounds[bounds.length] = Double.POSITIVE_INFINITY;
    }

    @Override
    public MetricSnapshot collect() {
        long[] counts = distribution.counts();
        HistogramSnapshot.Builder snapshot =
                HistogramSnapshot.builder().name(name).help(help);
        if (unit != null) {
            snapshot.unit(unit);
        }
        return snapshot.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(upperBounds, counts))
                        .sum(distribution.sum() / scale)
                        .build())
                .build();
    }

    @Override
    public String getPrometheusName() {
        return name;
    }
}
