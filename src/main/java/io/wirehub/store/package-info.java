/**
 * Where events live: the {@link io.wirehub.store.EventStore} seam (append with gapless seqs per
 * topic, read after a cursor, snapshot, epoch) and idempotency keys. Implementations live in
 * {@code store.memory} and {@code store.postgres}.
 *
 * <p>May use {@code event} only.
 */
package io.wirehub.store;
