/**
 * The domain values every layer shares: {@link io.wirehub.event.Event}, topics and their names,
 * {@link io.wirehub.event.Cursor} (a stream's position, and the id a client sends back), and the
 * {@code reset} notice. An event carries the bytes transports encode from it as opaque
 * {@link io.wirehub.event.Encoding}s, so it depends on no transport.
 *
 * <p>JDK only: it uses no other package, and every other may use it.
 */
package io.wirehub.event;
