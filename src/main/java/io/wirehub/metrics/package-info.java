/**
 * The meters: one Prometheus registry per instance, fed by the hub's counters, the store (timed
 * by {@code MeteredStore}) and the bus, and written in the text format
 * ({@link io.wirehub.metrics.Metrics#writeText}). Names and labels are public API
 * (docs/metrics.md). The route that serves them is in {@code http.admin}.
 *
 * <p>May use {@code hub}, {@code store}, {@code bus}, {@code event} and the Prometheus client;
 * nothing of HTTP. The bus and the store are read through their stats interfaces
 * ({@code EventBus#stats}, {@code EventStore#stats}), never by their classes.
 */
package io.wirehub.metrics;
