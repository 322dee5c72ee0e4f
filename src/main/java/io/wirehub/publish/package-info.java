/**
 * The publish path: admission (room in the fan-out, else a 503 before anything is stored), the
 * store (which assigns the seqs), then the hub's local dispatch and the bus
 * ({@link io.wirehub.publish.Publisher}); idempotency keys on top
 * ({@link io.wirehub.publish.IdempotentPublisher}). An event is acknowledged only once stored.
 *
 * <p>May use {@code hub}, {@code store}, {@code bus} and {@code event}; nothing of HTTP. Both
 * ways in use it: {@code http} (POST) and {@code transport.ws} (the publish op).
 */
package io.wirehub.publish;
