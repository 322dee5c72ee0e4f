/**
 * What the two stream transports share: parsing a stream request (topics, the client's cursor).
 * One subpackage per protocol.
 *
 * <p>May use {@code event} and {@code http} (its errors).
 */
package io.wirehub.transport;
