/**
 * WebSocket: {@code /v1/ws} (the upgrade, and the JSON error for a request that was not one), its
 * framing ({@link io.wirehub.transport.ws.WsFrames}), the sink, ping/pong, and the client's ops
 * (subscribe, unsubscribe, publish).
 *
 * <p>May use {@code hub}, {@code publish} (the publish op), {@code event}, {@code auth},
 * {@code http}, {@code transport} and Helidon; storage and Redis only through the hub.
 */
package io.wirehub.transport.ws;
