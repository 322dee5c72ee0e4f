package io.wirehub.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirehub.app.WireHub;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

/**
 * Asks instances' {@code GET /health} at a steady rate, as a load balancer does, and keeps every
 * answer, so a test can check afterwards what it said while a dependency was down and after.
 */
public final class HealthWatch implements AutoCloseable {
    private static final int PER_SECOND = 50;

    /** One answer: its HTTP status and the JSON's {@code store} and {@code bus} ({@code "?"} when there was no answer). */
    public record Sample(long atNanos, int port, int status, String store, String bus, boolean draining) {
        /** 503 exactly when the store is down or the instance drains (the bus is reported, not counted: see HealthService). */
        public boolean consistent() {
            return status == ((store.equals("DOWN") || draining) ? 503 : 200);
        }

        @Override
        public String toString() {
            return status + " store " + store + " bus " + bus;
        }
    }

    private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
    private final SteadyRate rate;

    private HealthWatch(List<WireHub> instances) {
        rate = SteadyRate.start("health-watch", PER_SECOND, () -> instances.forEach(this::ask));
    }

    public static HealthWatch start(WireHub... instances) {
        return new HealthWatch(List.of(instances));
    }

    private void ask(WireHub instance) {
        long at = System.nanoTime();
        try {
            Http.Response response = Http.get(TestHubs.base(instance) + "/health");
            JsonNode body = response.json();
            samples.add(new Sample(
                    at,
                    instance.port(),
                    response.status(),
                    body.path("store").asText("?"),
                    body.path("bus").asText("?"),
                    body.path("draining").asBoolean()));
        } catch (UncheckedIOException e) {
            samples.add(new Sample(at, instance.port(), 0, "?", "?", false)); // no answer at all
        }
    }

    /** The answers of one instance taken between two moments (System.nanoTime). */
    public List<Sample> between(WireHub instance, long fromNanos, long toNanos) {
        return samples.stream()
                .filter(s -> s.port() == instance.port() && s.atNanos() - fromNanos >= 0 && toNanos - s.atNanos() >= 0)
                .toList();
    }

    public List<Sample> all() {
        return new ArrayList<>(samples);
    }

    /** {@code {200 store UP bus UP=812, 503 store DOWN bus UP=40}}: how often each answer came. */
    public static Map<String, Long> tally(List<Sample> samples) {
        return samples.stream().collect(Collectors.groupingBy(Sample::toString, TreeMap::new, Collectors.counting()));
    }

    /** Stops asking; the answers so far stay. Once is enough, again does nothing. */
    public void stop() {
        try {
            rate.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the test is being stopped: leave the flag for it
        }
    }

    @Override
    public void close() {
        stop();
    }
}
