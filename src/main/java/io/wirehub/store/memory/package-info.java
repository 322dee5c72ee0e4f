/**
 * The embedded store: a bounded ring of recent events per topic, in memory, and idempotency keys
 * with per-publisher quotas. Its epoch changes at every start, so cursors of a previous run reset.
 *
 * <p>May use {@code store} and {@code event}.
 */
package io.wirehub.store.memory;
