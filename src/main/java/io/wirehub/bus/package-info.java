/**
 * How instances tell each other about committed events: the {@link io.wirehub.bus.EventBus}
 * seam, the {@link io.wirehub.bus.BusListener} the hub implements, and the topic interest a bus
 * may route by. The bus is fire-and-forget; the hub makes up for what it loses from the store.
 *
 * <p>May use {@code event} only. Implementations live in {@code bus.local} and {@code bus.redis}.
 */
package io.wirehub.bus;
