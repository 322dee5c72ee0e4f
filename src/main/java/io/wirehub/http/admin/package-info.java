/**
 * The operator's HTTP endpoints: {@code /v1/stats}, {@code /v1/admin/*} (the slowest subscribers,
 * the dashboard's stats stream), the {@code /dashboard} page and {@code /metrics}. Read-only views
 * over the hub's counters; an admin token guards them under {@code auth.mode: jwt}.
 *
 * <p>May use {@code hub} (its stats and subscribers), {@code metrics} (the exposition),
 * {@code publish} (refusal codes), {@code http}, {@code event} and Helidon.
 */
package io.wirehub.http.admin;
