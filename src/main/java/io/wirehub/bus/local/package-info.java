/**
 * The embedded bus: one instance, nothing to tell anyone.
 *
 * <p>May use {@code bus} and {@code event}.
 */
package io.wirehub.bus.local;
