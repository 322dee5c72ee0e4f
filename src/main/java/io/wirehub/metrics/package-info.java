/**
 * The meters: one Prometheus registry per instance, fed by the hub's counters, the store (timed
 * by {@code MeteredStore}) and the bus, and written in the text format
 * ({@link io.wirehub.metrics.Metrics#writeText}). Names and labels are public API
 * (docs/metrics.md). The route that serves them is in {@code http.admin}.
 *
 * <p>May use {@code hub}, {@code store}, {@code bus}, {@code event} and the Prometheus client;
 * nothing of HTTP. (ResourceMeters still looks at the Redis bus and the PostgreSQL store by their
 * classes; issue 21 item 2 gives each part a stats interface instead.)
 */
package io.wirehub.metrics;
