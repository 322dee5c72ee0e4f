/**
 * The HTTP edge shared by every route: publishing ({@code POST /v1/topics/{topic}/events},
 * {@code /v1/events}), snapshots, health, the client script; the one JSON error shape; and what
 * guards the listener (auth, CORS, connection and stream limits, the slowloris watch, the drain).
 *
 * <p>May use {@code publish}, {@code store} (snapshots, health), {@code bus} (health),
 * {@code auth}, {@code event} and Helidon. Never the hub's internals: publishes go through
 * {@code publish}. The streams are in {@code transport}, the operator's pages in {@code http.admin}.
 */
package io.wirehub.http;
