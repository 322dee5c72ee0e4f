/**
 * Server-Sent Events: {@code GET /v1/sse}, its framing ({@link io.wirehub.transport.sse.SseFrames})
 * and the sink that writes a subscriber's batches to the response.
 *
 * <p>May use {@code hub}, {@code event}, {@code auth}, {@code http}, {@code transport} and Helidon;
 * storage and Redis only through the hub.
 */
package io.wirehub.transport.sse;
