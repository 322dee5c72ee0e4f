/**
 * The bus over Redis pub/sub (one Redis, or sharded pub/sub on a Redis Cluster) through Jedis:
 * pipelined PUBLISH, one subscriber thread per connection, heartbeats, reconnects with backoff,
 * and routing by topic interest over shard channels.
 *
 * <p>May use {@code bus}, {@code event}, {@code config} and Jedis. Knows nothing of HTTP, the hub
 * or the store: what it delivers goes to a {@link io.wirehub.bus.BusListener}.
 */
package io.wirehub.bus.redis;
