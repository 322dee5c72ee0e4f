/**
 * The fan-out: the {@link io.wirehub.hub.Hub} hands each committed event to the queue of every
 * {@link io.wirehub.hub.Subscriber} of its topic and never blocks on one; each subscriber's own
 * thread drains its queue, replays and catches up from the store by its cursor, and closes by one
 * idempotent path. The {@link io.wirehub.hub.Ticker} enforces heartbeats and deadlines.
 *
 * <p>May use {@code event} and the {@code store} and {@code bus} interfaces only: no Helidon, no
 * JDBC, no Jedis. Transports reach a client through {@link io.wirehub.hub.SubscriberSink}.
 */
package io.wirehub.hub;
